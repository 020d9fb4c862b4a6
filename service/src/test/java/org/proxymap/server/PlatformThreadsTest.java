package org.proxymap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/** proxymap_platform_threads: that many connections on platform threads, the rest on virtual threads, all served. */
class PlatformThreadsTest {
    private static long platformConnectionThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("pconn-")).count();
    }

    @Test
    void firstConnectionsGetPlatformThreadsTheRestVirtual() throws Exception {
        var dir = TestServer.newConfig("proxy_read_maps = proxy:inline:{k=v}");
        Files.writeString(dir.resolve("etc/proxymap.cf"), "proxymap_platform_threads = 2\n");
        try (TestServer s = TestServer.start(dir)) {
            List<WireClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) clients.add(WireClient.connect(s.proxymap()));
                for (WireClient c : clients) {
                    assertEquals("status\\00\\0value\\0v\\0\\0", WireClient.escaped(
                            c.call("request", "lookup", "table", "inline:{k=v}", "flags", "0", "key", "k")));
                }
                assertEquals(2, platformConnectionThreads());
            } finally {
                for (WireClient c : clients) c.close();
            }
            long end = System.nanoTime() + 5_000_000_000L;
            while (platformConnectionThreads() > 0 && System.nanoTime() < end) Thread.sleep(10);
            assertEquals(0, platformConnectionThreads(), "a closed connection ends its platform thread");
        }
    }
}
