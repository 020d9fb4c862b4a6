package org.proxymap.reliability;

import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.proxymap.testing.WireClient;

/** Client-side helpers shared by the reliability tests. */
final class Clients {
    private Clients() {}

    /**
     * Connects, retrying while the listen backlog is full: a client on a virtual thread gets
     * EAGAIN ("Resource temporarily unavailable") there instead of waiting, as Linux does
     * for non-blocking AF_UNIX connects.
     */
    static WireClient connect(Path socket, boolean hello, long timeoutMillis) throws IOException {
        long end = System.nanoTime() + timeoutMillis * 1_000_000;
        long pause = 1;
        while (true) {
            try {
                return WireClient.connect(socket, hello);
            } catch (SocketException e) {
                String m = String.valueOf(e.getMessage());
                boolean busy = m.contains("temporarily unavailable");
                if (!busy || System.nanoTime() > end) throw e;
                sleep(ThreadLocalRandom.current().nextLong(pause, pause * 2 + 1));
                pause = Math.min(pause * 2, 50);
            }
        }
    }

    static WireClient connect(Path socket) throws IOException { return connect(socket, true, 30_000); }

    /** A texthash table of {@code n} keys: k0 v0, k1 v1, ... */
    static void writeTable(Path file, int n) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append('k').append(i).append(' ').append('v').append(i).append('\n');
        Files.writeString(file, sb);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
