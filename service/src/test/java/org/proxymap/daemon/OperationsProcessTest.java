package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.Require;
import org.proxymap.testing.WireClient;

/** What an operator meets, in the daemon started by its real launcher (scripts/proxymap). */
class OperationsProcessTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final String LOOKUP_OK = "status\\00\\0value\\0v\\0\\0";

    /** JFR's method sampler suspends threads with a signal; it must not be the reload signal. */
    @Test
    void aSamplingJfrRecordingTriggersNoReload() throws Exception {
        try (DaemonProcess d = DaemonProcess.prepare("proxy_read_maps = proxy:inline:{k=v}\n", null)) {
            Path jfr = d.dir.resolve("rec.jfr");
            d.start(null, List.of(), Map.of("PROXYMAP_JAVA_OPTS",
                    "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true"));
            d.awaitLog("configuration generation 1 in force", START);
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int lookups = 0;
            try (WireClient c = WireClient.connect(d.socket("proxymap"))) {
                while (System.nanoTime() < end) {
                    assertEquals(LOOKUP_OK, WireClient.escaped(
                            c.call("request", "lookup", "table", "inline:{k=v}", "flags", "0", "key", "k")));
                    lookups++;
                }
            }
            d.signal("TERM");
            int status = d.awaitExit(Duration.ofSeconds(30));
            assertTrue(status == 0 || status == 143, "exit " + status + " after SIGTERM:\n" + d.output());
            assertFalse(d.output().contains("reload"), "a reload while JFR sampled:\n" + d.output());
            assertFalse(d.output().contains("_JAVA_SR_SIGNUM is not set"), d.output());
            long samples = 0;
            try (RecordingFile f = new RecordingFile(jfr)) {
                while (f.hasMoreEvents()) {
                    RecordedEvent e = f.readEvent();
                    if (e.getEventType().getName().equals("jdk.ExecutionSample")) samples++;
                }
            }
            assertTrue(samples > 0, "JFR took no execution samples in " + lookups + " lookups");
        }
    }

    /**
     * Type=notify: READY=1 only once both sockets accept, STATUS= with the generation (again on
     * reload), WATCHDOG=1 at half WATCHDOG_USEC while the process runs and none while it is
     * stopped (SIGSTOP), STOPPING=1 on SIGTERM. systemd's side is a datagram socket of the
     * test's own (socat), named by NOTIFY_SOCKET as systemd does.
     */
    @Test
    void systemdHearsReadyStatusWatchdogAndStopping() throws Exception {
        Path socat = Require.executable("/usr/bin/socat");
        try (DaemonProcess d = DaemonProcess.prepare("proxy_read_maps = proxy:inline:{k=v}\n", null)) {
            Path sock = d.dir.resolve("notify.sock"), heard = d.dir.resolve("notify.log");
            Process systemd = new ProcessBuilder(socat.toString(), "-u", "UNIX-RECV:" + sock,
                    "OPEN:" + heard + ",creat,append").redirectErrorStream(true).start();
            try {
                awaitFile(sock);
                d.start(null, List.of(), Map.of("NOTIFY_SOCKET", sock.toString(), "WATCHDOG_USEC", "400000"));
                await(heard, "READY=1", START);
                // READY is sent after both sockets listen: they accept at once
                try (WireClient w = WireClient.connect(d.socket("proxywrite")); WireClient c = WireClient.connect(d.socket("proxymap"))) {
                    assertEquals(LOOKUP_OK, WireClient.escaped(
                            c.call("request", "lookup", "table", "inline:{k=v}", "flags", "0", "key", "k")));
                }
                assertTrue(Files.readString(heard).contains("STATUS=serving, configuration generation 1"), Files.readString(heard));
                int before = count(heard, "WATCHDOG=1");
                Thread.sleep(2000);
                int running = count(heard, "WATCHDOG=1") - before;
                assertTrue(running >= 4, running + " watchdog pings in 2 s at WATCHDOG_USEC=400000");

                d.signal("USR2");
                await(heard, "STATUS=serving, configuration generation 2", START);

                d.signal("STOP");
                Thread.sleep(300); // a ping already on its way may still land
                int stopped = count(heard, "WATCHDOG=1");
                Thread.sleep(1500);
                assertEquals(stopped, count(heard, "WATCHDOG=1"), "pings while the process was stopped");
                d.signal("CONT");
                Thread.sleep(1500);
                assertTrue(count(heard, "WATCHDOG=1") > stopped, "no pings after SIGCONT");

                d.signal("TERM");
                await(heard, "STOPPING=1", START);
                d.awaitExit(Duration.ofSeconds(30));
            } finally {
                systemd.destroy();
                systemd.waitFor(); // socat removes its socket as it exits
            }
        }
    }

    private static void awaitFile(Path p) throws InterruptedException {
        for (int i = 0; i < 200 && !Files.exists(p); i++) Thread.sleep(25);
        assertTrue(Files.exists(p), p + " not created");
    }

    private static void await(Path file, String text, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(file) && Files.readString(file).contains(text)) return;
            Thread.sleep(25);
        }
        throw new AssertionError("systemd never heard " + text + "; heard:\n" + (Files.exists(file) ? Files.readString(file) : ""));
    }

    private static int count(Path file, String line) throws Exception {
        return Files.exists(file) ? (int) Files.readAllLines(file).stream().filter(line::equals).count() : 0;
    }
}
