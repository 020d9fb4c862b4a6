package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.MiniJson;

/**
 * The logging configurations in a JVM of their own, as the service starts them: under systemd
 * (JOURNAL_STREAM set) every line carries its syslog priority for journald and no timestamp;
 * on a terminal, Postfix-style lines; java.util.logging (the MariaDB driver's) arrives through
 * log4j; etc/log4j2-json.xml writes one JSON object per line.
 */
class JournalLoggingTest {
    private static List<String> run(Map<String, String> env, String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(jvmOptions));
        cmd.add(LogProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JOURNAL_STREAM");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.contains("probe")).toList();
    }

    @Test
    void underSystemdEachLineCarriesItsPriorityAndNoTimestamp() throws Exception {
        List<String> lines = run(Map.of("JOURNAL_STREAM", "8:12345"));
        assertEquals(List.of("<4>warning: probe through log4j", "<3>error: probe through java.util.logging"), lines);
    }

    @Test
    void onATerminalPostfixStyleLinesWithTime() throws Exception {
        List<String> lines = run(Map.of());
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\w{3} \\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} proxymap\\[\\d+\\]: warning: probe through log4j"), lines.get(0));
        assertTrue(lines.get(1).endsWith("]: error: probe through java.util.logging"), lines.get(1));
    }

    @Test
    void theOperatorsCopyUnderSystemdToo() throws Exception {
        Path xml = DaemonProcess.projectDir().resolve("etc/log4j2.xml");
        List<String> lines = run(Map.of("JOURNAL_STREAM", "8:1"), "-Dlog4j2.configurationFile=" + xml,
                "-Dproxymap.syslog.port=9");
        assertEquals(List.of("<4>warning: probe through log4j", "<3>error: probe through java.util.logging"), lines);
    }

    @Test
    void jsonLinesForLogShippers() throws Exception {
        Path xml = DaemonProcess.projectDir().resolve("etc/log4j2-json.xml");
        List<String> lines = run(Map.of(), "-Dlog4j2.configurationFile=" + xml);
        assertEquals(2, lines.size(), lines.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) MiniJson.parse(lines.get(0));
        assertEquals("probe through log4j", first.get("message"));
        assertEquals("WARN", first.get("log.level"));
        assertEquals("proxymap", first.get("service.name"));
        @SuppressWarnings("unchecked")
        Map<String, Object> second = (Map<String, Object>) MiniJson.parse(lines.get(1));
        assertEquals("ERROR", second.get("log.level"));
        assertEquals("org.mariadb.jdbc.client", second.get("log.logger"));
    }
}
