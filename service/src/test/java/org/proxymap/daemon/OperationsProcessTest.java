package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
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
}
