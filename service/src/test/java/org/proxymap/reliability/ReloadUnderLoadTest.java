package org.proxymap.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.proxymap.jmx.ReloadResult;
import org.proxymap.testing.TestServer;

/**
 * Reloads in a loop under load, every third one with a broken configuration: good clients
 * never get a failed or wrong reply, broken reloads are refused and the old generation
 * keeps serving, good ones take effect.
 */
class ReloadUnderLoadTest {
    @Test
    void reloadsWithSomeBrokenConfigsLoseNoRequest() throws Exception {
        Path dir = TestServer.newConfig(WireFuzzTest.CONFIG);
        Clients.writeTable(dir.resolve("etc/t"), 100);
        Path mainCf = dir.resolve("etc/main.cf");
        Path proxymapCf = dir.resolve("etc/proxymap.cf");
        String base = Files.readString(mainCf);
        int reloads = Integer.getInteger("proxymap.reload.count", 24);
        long intervalMillis = Long.getLong("proxymap.reload.interval.ms", 250);
        try (TestServer s = TestServer.start(dir)) {
            String t = "texthash:" + s.etc.resolve("t");
            int ok = 0, refused = 0;
            try (GoodClients good = new GoodClients(s.proxymap(), t, 100, 16, 100, false)) {
                for (int i = 0; i < reloads; i++) {
                    boolean broken = i % 3 == 2;
                    if (broken) {
                        Files.writeString(proxymapCf, i % 2 == 0 ? "proxymap_request_deadline = banana\n"
                                : "proxymap_max_attributes = 3\n"); // below its minimum of 8
                    } else {
                        Files.deleteIfExists(proxymapCf);
                        // alternate an extra approved table, so that every good reload changes something
                        Files.writeString(mainCf, i % 2 == 0 ? base.replace("proxy:static:x", "proxy:static:x proxy:static:y") : base);
                    }
                    long genBefore = s.server.state().generation();
                    ReloadResult r = s.reloader.reload();
                    if (broken) {
                        refused++;
                        assertTrue(!r.ok(), "broken config accepted: " + r);
                        assertEquals(genBefore, s.server.state().generation());
                    } else {
                        ok++;
                        assertTrue(r.ok(), r.toString());
                        assertEquals(genBefore + 1, s.server.state().generation());
                    }
                    Thread.sleep(intervalMillis);
                }
                good.close();
                System.out.printf("reload under load: %d reloads (%d good, %d refused) every %d ms; good clients: %s%n",
                        reloads, ok, refused, intervalMillis, good.summary());
                assertEquals(0, good.wrong.sum(), good.summary());
                assertEquals(0, good.failed.sum(), good.summary());
                assertEquals(0, good.retry.sum(), good.summary());
                assertTrue(good.served.sum() > 1000, good.summary());
            }
        }
    }
}
