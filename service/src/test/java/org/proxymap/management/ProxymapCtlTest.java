package org.proxymap.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.jmx.ctl.ProxymapCtl;

/** proxymapctl against a real service over real JMX: in-process for each case, and as a real process. */
class ProxymapCtlTest {
    private static JmxFixture f;
    private static String table;
    private static Path adminPw;
    private static Path monitorPw;

    @BeforeAll
    static void start() throws Exception {
        f = JmxFixture.start("proxy_read_maps = proxy:texthash:${config_directory}/t", Map.of("t", "alice@example.com a@b\n"));
        table = "texthash:" + f.etc().resolve("t");
        adminPw = f.etc().resolve("admin.pw");
        JmxFixture.writeSecret(adminPw, JmxFixture.ADMIN_PASSWORD + "\n");
        monitorPw = f.etc().resolve("monitor.pw");
        JmxFixture.writeSecret(monitorPw, JmxFixture.MONITOR_PASSWORD + "\n");
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private record Run(int status, String out, String err) {}

    private static Run ctl(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = ProxymapCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String[] admin(String... command) {
        List<String> a = new ArrayList<>(List.of("--jmx", "127.0.0.1:" + f.port, "--user", "admin", "--password-file", adminPw.toString()));
        a.addAll(List.of(command));
        return a.toArray(String[]::new);
    }

    private static String[] monitor(String... command) {
        List<String> a = new ArrayList<>(List.of("--jmx", "127.0.0.1:" + f.port, "--user", "monitor", "--password-file", monitorPw.toString()));
        a.addAll(List.of(command));
        return a.toArray(String[]::new);
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, ctl().status());
        assertEquals(2, ctl(admin("frobnicate")).status());
        assertEquals(2, ctl(admin("query", "only-a-table")).status());
        Run pw = ctl("--jmx", "127.0.0.1:1", "--password", "x", "stats");
        assertEquals(2, pw.status());
        assertTrue(pw.err().contains("never taken from the command line"), pw.err());
        assertEquals(2, ctl("stats").status()); // neither -c nor --jmx
        assertEquals(2, ctl("--jmx", "nowhere", "--password-file", adminPw.toString(), "stats").status());
    }

    @Test
    void unreachableOrWrongPasswordExitsThree() throws Exception {
        Path wrong = f.etc().resolve("wrong.pw");
        JmxFixture.writeSecret(wrong, "not-the-password\n");
        Run r = ctl("--jmx", "127.0.0.1:" + f.port, "--user", "admin", "--password-file", wrong.toString(), "stats");
        assertEquals(3, r.status());
        assertTrue(r.err().contains("authentication failed"), r.err());
        Run closed = ctl("--jmx", "127.0.0.1:" + JmxFixture.freePort(), "--password-file", adminPw.toString(), "stats");
        assertEquals(3, closed.status());
        assertTrue(closed.err().contains("cannot connect"), closed.err());
    }

    @Test
    void operationsAndTheirExitCodes() throws Exception {
        Run q = ctl(admin("query", "proxy:" + table, "alice@example.com"));
        assertEquals(new Run(0, "a@b\n", ""), q);
        assertEquals(1, ctl(admin("query", table, "nobody@example.com")).status());
        Run denied = ctl(admin("query", "texthash:/etc/passwd", "root"));
        assertEquals(1, denied.status());
        assertTrue(denied.err().contains("DENY"), denied.err());

        Run t = ctl(monitor("table", table));
        assertEquals(0, t.status(), t.err());
        assertTrue(t.out().contains("lookups: 2") && t.out().contains("hits: 1"), t.out());
        assertEquals(1, ctl(monitor("table", "texthash:/never/opened")).status());
        Run tables = ctl(monitor("tables"));
        assertEquals(0, tables.status());
        assertTrue(tables.out().contains(table), tables.out());

        Run stats = ctl(monitor("--json", "stats"));
        assertEquals(0, stats.status(), stats.err());
        assertTrue(stats.out().contains("\"Pid\":" + ProcessHandle.current().pid() + ","), stats.out());
        assertTrue(stats.out().contains("\"Denied\":1"), stats.out());

        Run refused = ctl(monitor("reload"));
        assertEquals(1, refused.status());
        assertTrue(refused.err().contains("refused") && refused.err().contains("readwrite"), refused.err());

        Run check = ctl(monitor("check"));
        assertEquals(0, check.status(), check.err());
        assertTrue(check.out().contains("configuration ok: 1 approved table"), check.out());
    }

    @Test
    void cacheCountersAndCacheDrop() throws Exception {
        java.nio.file.Files.writeString(f.etc().resolve("c"), "k v\n");
        String cached = "texthash:" + f.etc().resolve("c");
        Path cf = f.etc().resolve("proxymap.cf");
        String before = java.nio.file.Files.readString(cf); // the fixture's JMX settings
        java.nio.file.Files.writeString(cf, before + "\nproxy_read_maps = proxy:texthash:${config_directory}/t proxy:" + cached
                + "\nproxymap_cache_maps = " + cached + "\n");
        try {
            assertEquals(0, ctl(admin("reload")).status());
            for (int i = 0; i < 3; i++) assertEquals(new Run(0, "v\n", ""), ctl(admin("query", cached, "k")));
            Run t = ctl(monitor("table", cached));
            assertTrue(t.out().contains("cacheHits: 2") && t.out().contains("cacheMisses: 1")
                    && t.out().contains("cacheEntries: 1"), t.out());
            Run refused = ctl(monitor("cache-drop", cached));
            assertEquals(1, refused.status());
            assertTrue(refused.err().contains("readwrite"), refused.err());
            assertEquals(new Run(0, "dropped 0 cached answers of " + cached + " for key other\n", ""),
                    ctl(admin("cache-drop", cached, "other")));
            assertEquals(new Run(0, "dropped 1 cached answer of " + cached + "\n", ""), ctl(admin("cache-drop", cached)));
            assertTrue(ctl(monitor("table", cached)).out().contains("cacheEntries: 0"));
            assertEquals(2, ctl(admin("cache-drop")).status());
        } finally {
            java.nio.file.Files.writeString(cf, before);
            assertEquals(0, ctl(admin("reload")).status());
        }
    }

    @Test
    void reloadOkThenRefusedWithTheReason() throws Exception {
        long gen = f.ts.server.state().generation();
        Run ok = ctl(admin("--json", "reload"));
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("\"ok\":true,\"message\":\"ok\",\"generation\":" + (gen + 1)), ok.out());
        Path mainCf = f.etc().resolve("main.cf");
        String good = Files.readString(mainCf);
        Files.writeString(mainCf, good + "\nbroken line\n");
        try {
            Run refused = ctl(admin("reload"));
            assertEquals(1, refused.status());
            assertTrue(refused.err().contains("reload refused") && refused.err().contains("main.cf, line"), refused.err());
            assertEquals(1, ctl(admin("check")).status());
            assertEquals(gen + 1, f.ts.server.state().generation());
        } finally {
            Files.writeString(mainCf, good);
        }
    }

    /** The real script, as Ansible would run it: -c DIR finds port and password file in proxymap.cf. */
    @Test
    void scriptAsARealProcess() throws Exception {
        Path script = Path.of(System.getProperty("proxymap.project.dir", "..")).resolve("scripts/proxymapctl");
        String classes = Path.of(ProxymapCtl.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Run reload = process(script, classes, "-c", f.etc().toString(), "reload");
        assertEquals(0, reload.status(), reload.err());
        assertTrue(reload.out().startsWith("reload ok: configuration generation "), reload.out());
        Run refused = process(script, classes, "-c", f.etc().toString(), "--user", "monitor", "reload");
        assertEquals(1, refused.status(), refused.err());
        Run unreachable = process(script, classes, "--jmx", "127.0.0.1:" + JmxFixture.freePort(), "--password-file", adminPw.toString(), "stats");
        assertEquals(3, unreachable.status(), unreachable.err());
    }

    private static Run process(Path script, String classpath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PROXYMAPCTL_CLASSPATH", classpath);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out, err);
    }
}
