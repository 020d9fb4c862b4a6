package org.proxymap.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/**
 * Hostile clients against a real server, while good clients keep looking keys up: each
 * hostile connection gets protocol replies or is closed (never a hang, never a partial
 * reply), the good clients get every answer right, and no connection is left behind.
 */
class WireFuzzTest {
    static final String CONFIG = """
            proxy_read_maps = proxy:texthash:${config_directory}/t proxy:static:x proxy:fail:f
            proxy_write_maps = proxy:texthash:${config_directory}/t
            """;

    static TestServer startServer() throws Exception {
        Path dir = TestServer.newConfig(CONFIG);
        Clients.writeTable(dir.resolve("etc/t"), 100);
        Files.writeString(dir.resolve("etc/proxymap.cf"), "proxymap_request_deadline = 1s\nproxymap_max_attribute_size = 4096\n");
        return TestServer.start(dir);
    }

    /** What one hostile connection saw. */
    record Outcome(int replies, String problem) {}

    /** Sends {@code bytes}, half-closes, reads replies until the server closes; a watchdog calls a hang. */
    static Outcome exchange(Path socket, byte[] bytes, ScheduledExecutorService timer) throws IOException {
        WireClient c = Clients.connect(socket);
        AtomicBoolean hung = new AtomicBoolean();
        var guard = timer.schedule(() -> {
            hung.set(true);
            try {
                c.close();
            } catch (IOException ignored) {
                // closing is all we can do
            }
        }, 10, TimeUnit.SECONDS);
        int replies = 0;
        try {
            try {
                c.sendRaw(bytes);
                c.channel().shutdownOutput();
            } catch (IOException e) {
                // the server may close on a protocol error while we still send: allowed
            }
            while (true) {
                AttrList r;
                try {
                    r = c.read();
                } catch (EOFException e) {
                    return new Outcome(replies, "partial reply: " + e.getMessage());
                } catch (IOException e) {
                    if (hung.get()) return new Outcome(replies, "no reply and no close within 10 s");
                    return new Outcome(replies, null); // reset by the server: a close
                }
                if (r == null) return new Outcome(replies, null);
                String p = Replies.problem(r);
                if (p != null) return new Outcome(replies, p);
                replies++;
            }
        } finally {
            guard.cancel(false);
            c.close();
        }
    }

    @Test
    void hostileClientsGetAnswersOrACloseAndOthersAreUnaffected() throws Exception {
        long seed = Budget.seed();
        Budget budget = Budget.fuzz(3_000);
        try (TestServer s = startServer();
             ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor()) {
            String t = "texthash:" + s.etc.resolve("t");
            List<String> tables = List.of(t, "static:x", "proxy:static:x", "fail:f", "texthash:/etc/passwd", "x", "unix:passwd.byname");
            AtomicLong next = new AtomicLong(), inputs = new AtomicLong(), replies = new AtomicLong(), closes = new AtomicLong();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            try (GoodClients good = new GoodClients(s.proxymap(), t, 100, 4, 200, false)) {
                List<Thread> hostile = new ArrayList<>();
                for (int w = 0; w < 32; w++) {
                    hostile.add(Thread.ofVirtual().start(() -> {
                        long i;
                        while (budget.more(i = next.getAndIncrement()) && problems.size() < 10) {
                            HostileInput in = new HostileInput(seed + i, tables, 64, 4096);
                            byte[] bytes = in.next();
                            Path socket = in.nextInt(4) == 0 ? s.proxywrite() : s.proxymap();
                            try {
                                Outcome o = exchange(socket, bytes, timer);
                                inputs.incrementAndGet();
                                replies.addAndGet(o.replies());
                                closes.incrementAndGet();
                                if (o.problem() != null) problems.add("seed " + (seed + i) + " (-Dproxymap.fuzz.seed): " + o.problem());
                            } catch (IOException e) {
                                problems.add("seed " + (seed + i) + ": connect: " + e);
                            }
                        }
                    }));
                }
                for (Thread h : hostile) h.join();
                good.close();
                System.out.printf("wire fuzz: seed %d, %d hostile connections, %d replies to them; good clients: %s; "
                        + "server: malformed %d, deadline expiries %d, connections %d%n", seed, inputs.get(), replies.get(),
                        good.summary(), s.server.counters().malformed.sum(), s.server.counters().deadlineExpiries.sum(),
                        s.server.counters().connectionsAccepted.sum());
                assertTrue(problems.isEmpty(), problems.toString());
                assertEquals(0, good.wrong.sum(), good.summary());
                assertEquals(0, good.failed.sum(), good.summary());
                assertTrue(good.served.sum() > 100, good.summary());
                assertTrue(s.server.counters().malformed.sum() > 0);
            }
            awaitConnections(s, 0);
        }
    }

    /** Every request kind, both dialects, both services, cut at every length: no reply and a close, until complete. */
    @Test
    void everyRequestAtEveryLength() throws Exception {
        try (TestServer s = startServer();
             ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor()) {
            String t = "texthash:" + s.etc.resolve("t");
            long connections = 0;
            for (String op : HostileInput.REQUESTS) {
                for (boolean c : new boolean[] {false, true}) {
                    for (boolean write : new boolean[] {false, true}) {
                        byte[] full = HostileInput.encode(HostileInput.request(op, t, c, "k1"), true);
                        Path socket = write ? s.proxywrite() : s.proxymap();
                        for (int len = 0; len <= full.length; len++) {
                            Outcome o = exchange(socket, java.util.Arrays.copyOf(full, len), timer);
                            connections++;
                            String what = op + (c ? " C " : " B ") + (write ? "proxywrite" : "proxymap") + " cut at " + len + "/" + full.length;
                            assertNull(o.problem(), what);
                            assertEquals(len == full.length ? 1 : 0, o.replies(), what);
                        }
                    }
                }
            }
            System.out.printf("every request at every length: %d connections%n", connections);
            awaitConnections(s, 0);
        }
    }

    static void awaitConnections(TestServer s, int n) {
        long end = System.nanoTime() + 5_000_000_000L;
        while (s.server.counters().connectionsActive.get() != n && System.nanoTime() < end) Clients.sleep(10);
        assertEquals(n, s.server.counters().connectionsActive.get(), "connections left open on the server");
    }
}
