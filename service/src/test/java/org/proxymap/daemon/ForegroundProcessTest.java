package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/**
 * The real entry point in its own JVM: SIGUSR2 reloads (a broken configuration is refused
 * and the connection keeps being served), a malformed setting stops the start with a
 * non-zero exit and file:line, and {@code check} exits 1 on an unusable table (exit 0 is covered in-process by CliTest).
 */
class ForegroundProcessTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static ProcessBuilder proxymap(String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                ProxymapDaemon.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    private static String await(LinkedBlockingQueue<String> lines, String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l != null && l.contains(text)) return l;
        }
        throw new AssertionError("no log line with: " + text);
    }

    @Test
    void sigusr2ReloadsAndRefusesBrokenConfigurations() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:inline:{k=v1}");
        Path etc = dir.resolve("etc");
        Process p = proxymap("-c", etc.toString()).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .lines().forEach(lines::add));
        try {
            await(lines, "daemon started");
            try (WireClient c = WireClient.connect(dir.resolve("queue/private/proxymap"))) {
                assertEquals("status\\00\\0value\\0v1\\0\\0",
                        WireClient.escaped(c.call("request", "lookup", "table", "inline:{k=v1}", "flags", "0", "key", "k")));

                Files.writeString(etc.resolve("main.cf"), Files.readString(etc.resolve("main.cf"))
                        .replace("{k=v1}", "{k=v2}"));
                new ProcessBuilder("kill", "-USR2", Long.toString(p.pid())).start().waitFor();
                await(lines, "configuration generation 2 in force");
                assertEquals("status\\00\\0value\\0v2\\0\\0",
                        WireClient.escaped(c.call("request", "lookup", "table", "inline:{k=v2}", "flags", "0", "key", "k")));
                AttrList denied = c.call("request", "lookup", "table", "inline:{k=v1}", "flags", "0", "key", "k");
                assertEquals("4", denied.value(0), "no longer approved");

                Files.writeString(etc.resolve("proxymap.cf"), "\nproxymap_request_deadline = soon\n");
                new ProcessBuilder("kill", "-USR2", Long.toString(p.pid())).start().waitFor();
                String refused = await(lines, "reload refused");
                assertTrue(refused.contains("still serving configuration generation 2")
                        && refused.contains("proxymap.cf, line 2: proxymap_request_deadline = soon"), refused);
                assertEquals("status\\00\\0value\\0v2\\0\\0",
                        WireClient.escaped(c.call("request", "lookup", "table", "inline:{k=v2}", "flags", "0", "key", "k")));
            }
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void malformedSettingRefusesToStart() throws Exception {
        Path dir = TestServer.newConfig("");
        Files.writeString(dir.resolve("etc/proxymap.cf"), "ipc_timeout = 10x\n");
        Process p = proxymap("-c", dir.resolve("etc").toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("proxymap.cf, line 1: ipc_timeout = 10x: bad time unit 'x'"), out);
        assertTrue(Files.notExists(dir.resolve("queue/private/proxymap")), "no socket was created");
    }

    @Test
    void checkExitStatus() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:texthash:$config_directory/t");
        Process p = proxymap("-c", dir.resolve("etc").toString(), "check").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("/t: No such file or directory"), out);
    }
}
