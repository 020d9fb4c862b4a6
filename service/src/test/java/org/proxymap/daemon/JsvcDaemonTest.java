package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.testing.Require;
import org.proxymap.testing.WireClient;

/**
 * The daemon under the real jsvc ({@code scripts/proxymap --jsvc USER}), as root, switching to
 * an unprivileged account: privileges after start, service, reload on SIGUSR2, clean stop
 * on SIGTERM, and refusal to start on a broken configuration. Also the same class as a
 * plain foreground JVM.
 */
@Timeout(180)
class JsvcDaemonTest {
    static final String USER = "nobody";
    static final Path JSVC = Path.of("/usr/bin/jsvc");
    static final Duration START = Duration.ofSeconds(60);

    static final String MAIN_CF = "proxy_read_maps = proxy:texthash:@DIR@/etc/t\nproxy_write_maps =\n";
    static final String PROXYMAP_CF = "proxymap_shutdown_grace = 8s\nproxymap_request_deadline = 10s\n";

    @BeforeAll
    static void requirements() {
        Require.that(Files.isExecutable(JSVC), JSVC + " (Debian package jsvc)");
        Require.that(Require.root(), "root (jsvc -user " + USER + " needs it)");
        Require.that(Files.isExecutable(Path.of("/usr/bin/setpriv")), "/usr/bin/setpriv (util-linux)");
    }

    @Test
    void runsAsUserWithoutCapabilitiesReloadsOnUsr2AndDrainsOnTerm() throws Exception {
        try (DaemonProcess d = DaemonProcess.prepare(MAIN_CF, USER)) {
            d.write("proxymap.cf", PROXYMAP_CF);
            d.write("t", "alice  one\n");
            d.write("t2", "bob  two\n");
            // under the restrictions of etc/proxymap.service: NoNewPrivileges, its CapabilityBoundingSet
            d.start(USER, DaemonProcess.setprivLike("proxymap.service", USER))
                    .awaitLog("proxymap\\[\\d+\\]: info: configuration generation 1 in force", START);

            // the JVM (pid in jsvc's pidfile, a child of the root controller) runs as USER, no capabilities
            long jvm = d.jvmPidFromPidfile();
            assertNotEquals(d.process().pid(), jvm, "jsvc controller and JVM are separate processes");
            String status = Files.readString(Path.of("/proc/" + jvm + "/status"));
            int uid = DaemonProcess.uid(USER);
            assertEquals(uid + "\t" + uid + "\t" + uid + "\t" + uid, field(status, "Uid"), status);
            assertEquals("0000000000000000", field(status, "CapEff"), status);
            assertEquals("0000000000000000", field(status, "CapPrm"), status);
            assertEquals("1", field(status, "NoNewPrivs"), "started under the unit's NoNewPrivileges");
            assertEquals(USER, Files.getOwner(d.socket("proxymap")).getName(), "socket created by the service user");

            String t = "texthash:" + d.etc.resolve("t");
            String t2 = "texthash:" + d.etc.resolve("t2");
            try (WireClient c = WireClient.connect(d.socket("proxymap"))) {
                assertEquals("status\\00\\0value\\0one\\0\\0", lookup(c, t, "alice"));
                assertEquals("status\\04\\0value\\0\\0\\0", lookup(c, t2, "bob"), "t2 not approved yet");

                // SIGUSR2 to the controller (what systemd's ExecReload does): generation 2, t2 approved
                d.write("main.cf", Files.readString(d.etc.resolve("main.cf"))
                        .replace("proxy_read_maps = proxy:" + t, "proxy_read_maps = proxy:" + t + " proxy:" + t2));
                d.signal("USR2");
                d.awaitLog("proxymap\\[\\d+\\]: info: reload: configuration generation 2 in force", START);
                assertEquals("status\\00\\0value\\0two\\0\\0", lookup(c, t2, "bob"), "same connection, new configuration");
            }

            // SIGTERM with a request in flight (half sent): the socket goes at once, the request is still answered
            byte[] request = new AttrWriter().str("request", "lookup").str("table", t).str("flags", "0")
                    .str("key", "alice").end().toByteArray();
            try (WireClient inFlight = WireClient.connect(d.socket("proxymap"))) {
                inFlight.sendRaw(Arrays.copyOf(request, 10));
                Thread.sleep(1000); // time for the server to read the first bytes: the connection is busy
                d.signal("TERM");
                awaitGone(d.socket("proxymap"), Duration.ofSeconds(10));
                assertThrows(IOException.class, () -> WireClient.connect(d.socket("proxymap")), "no new connections");
                inFlight.sendRaw(Arrays.copyOfRange(request, 10, request.length));
                assertEquals("status\\00\\0value\\0one\\0\\0", WireClient.escaped(inFlight.read()));
            }
            assertEquals(0, d.awaitExit(Duration.ofSeconds(20)), d.output());
            assertFalse(Files.exists(d.socket("proxymap")) || Files.exists(d.socket("proxywrite")), "sockets removed");
            assertFalse(Files.exists(Path.of("/proc/" + jvm)), "JVM gone");
            assertTrue(d.output().contains("info: daemon stopped"), d.output());
        }
    }

    @Test
    void brokenConfigurationFailsTheStartWithTheReasonInTheLog() throws Exception {
        try (DaemonProcess d = DaemonProcess.prepare(MAIN_CF, USER)) {
            d.write("proxymap.cf", "proxymap_request_deadline = soon\n");
            int status = d.start(USER).awaitExit(START);
            assertNotEquals(0, status, d.output());
            assertTrue(d.output().matches("(?s).*proxymap\\[\\d+\\]: fatal: \\S*/proxymap.cf, line 1: "
                    + "proxymap_request_deadline = soon: bad time value \"soon\".*"), d.output());
            assertFalse(Files.exists(d.socket("proxymap")), "no socket left behind");
        }
    }

    @Test
    void socketDirectoryNotOwnedByTheUserFailsTheStartWithTheFix() throws Exception {
        try (DaemonProcess d = DaemonProcess.prepare(MAIN_CF, "root")) {
            int status = d.start(USER).awaitExit(START);
            assertNotEquals(0, status, d.output());
            assertTrue(d.output().contains("fatal: " + d.privateDir + " (owner root, mode rwx------) is not writable by "
                    + USER + ", the user this service runs as"), d.output());
            assertTrue(d.output().contains("fix: chown " + USER + " " + d.privateDir), d.output());
        }
    }

    /**
     * The same class without jsvc: {@code scripts/proxymap -c DIR} as a plain JVM, started the way
     * etc/proxymap-java.service does (as the service user, no capabilities, NoNewPrivileges).
     */
    @Test
    void foregroundJvmAsTheUserReloadsOnUsr2AndStopsOnTerm() throws Exception {
        try (DaemonProcess d = DaemonProcess.prepare(MAIN_CF, USER)) {
            d.write("proxymap.cf", PROXYMAP_CF);
            d.write("t", "alice  one\n");
            d.start(null, DaemonProcess.setprivLike("proxymap-java.service", USER))
                    .awaitLog("info: configuration generation 1 in force", START);
            String status = Files.readString(Path.of("/proc/" + d.process().pid() + "/status"));
            assertEquals("0000000000000000", field(status, "CapEff"), status);
            assertEquals("0000000000000000", field(status, "CapBnd"), status);
            assertEquals("1", field(status, "NoNewPrivs"), status);
            try (WireClient c = WireClient.connect(d.socket("proxymap"))) {
                assertEquals("status\\00\\0value\\0one\\0\\0", lookup(c, "texthash:" + d.etc.resolve("t"), "alice"));
            }
            d.signal("USR2");
            d.awaitLog("info: reload: configuration generation 2 in force", START);
            d.signal("TERM");
            assertEquals(143, d.awaitExit(Duration.ofSeconds(20)), "128+SIGTERM, as systemd's SuccessExitStatus=143 expects");
            assertFalse(Files.exists(d.socket("proxymap")), "socket removed");
            assertTrue(d.output().contains("info: daemon stopped"), d.output());
        }
    }

    private static String lookup(WireClient c, String table, String key) throws IOException {
        return WireClient.escaped(c.call("request", "lookup", "table", table, "flags", "0", "key", key));
    }

    private static String field(String procStatus, String name) {
        return procStatus.lines().filter(l -> l.startsWith(name + ":")).findFirst()
                .map(l -> l.substring(name.length() + 1).trim()).orElseThrow();
    }

    private static void awaitGone(Path p, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (Files.exists(p)) {
            if (System.nanoTime() > end) throw new AssertionError(p + " still there after " + timeout);
            Thread.sleep(20);
        }
    }
}
