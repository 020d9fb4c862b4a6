package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.Golden;
import org.proxymap.testing.Golden.Dialect;
import org.proxymap.testing.Golden.Scenario;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;
import org.proxymap.testing.WireClient;

/**
 * The malformed requests of the golden transcripts (18-25, 30, 31: lookups without open,
 * bad tables, missing and out-of-order attributes, bad numbers, pipelining, unknown
 * requests, a list not starting with request, bytes without a NUL, the other dialect's
 * requests) replayed over and over while 100 well-behaved clients run interleaved opens
 * and lookups on different tables: every malformed request gets Postfix's reply or our
 * documented one, and every good request gets its own reply (values name the connection
 * and the request, so a reply that crossed connections is caught), without stalls.
 */
class MalformedUnderLoadTest {
    private static final int CLIENTS = 100;
    private static final int ROUNDS = 40;
    private static final int BAD_THREADS = 6;

    @Test
    void badClientsNeverDisturbGoodOnes() throws Exception {
        Path dir = TestServer.newConfig("");
        ReferenceTables.write(dir);
        StringBuilder conn = new StringBuilder();
        for (int i = 0; i < CLIENTS; i++) conn.append(" proxy:static:conn-").append(i);
        Files.writeString(dir.resolve("etc/main.cf"), "queue_directory = " + dir.resolve("queue") + "\n"
                + ReferenceTables.proxyMaps(dir, "internal:rw", conn.toString()));
        try (TestServer server = TestServer.start(dir)) {
            loadWhileMalformed(server, dir);
        } finally {
            Trees.delete(dir);
        }
    }

    private void loadWhileMalformed(TestServer server, Path dir) throws Exception {
        List<Scenario> malformed = new ArrayList<>();
        for (Dialect d : new Dialect[] {Dialect.B, Dialect.C}) {
            for (Scenario s : Golden.load(d)) {
                int n = s.number();
                if ((n >= 18 && n <= 25) || n == 30 || n == 31) malformed.add(s.withDir(dir.toString()));
            }
        }
        assertEquals(8 + 10, malformed.size());
        TranscriptPlayer b = new TranscriptPlayer(Dialect.B, server);
        TranscriptPlayer c = new TranscriptPlayer(Dialect.C, server);

        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean goodDone = new AtomicBoolean();
        AtomicInteger badPlays = new AtomicInteger();
        List<Thread> bad = new ArrayList<>();
        for (int t = 0; t < BAD_THREADS; t++) {
            int offset = t * 3;
            bad.add(Thread.ofVirtual().start(() -> {
                // every thread plays each scenario at least once, however fast the good clients are
                for (int k = offset; (!goodDone.get() || k < offset + malformed.size()) && failures.isEmpty(); k++) {
                    Scenario s = malformed.get(k % malformed.size());
                    try {
                        (s.dialect() == Dialect.B ? b : c).play(s);
                        badPlays.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(new AssertionError("malformed " + s + ": " + e, e));
                    }
                }
            }));
        }

        String big = "texthash:" + dir + "/maps/big";
        String small = "texthash:" + dir + "/maps/small";
        long[] latencies = new long[CLIENTS * ROUNDS * 2];
        AtomicInteger li = new AtomicInteger();
        AtomicLong goodRequests = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> good = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int id = i;
            good.add(Thread.ofVirtual().start(() -> {
                boolean dialectC = id % 2 == 0;
                try (WireClient w = WireClient.connect(server.proxymap())) {
                    go.await();
                    for (int r = 0; r < ROUNDS; r++) {
                        String table;
                        String key;
                        String value;
                        switch ((id + r) % 4) {
                            case 0 -> { table = "static:conn-" + id; key = "any" + r; value = "conn-" + id; }
                            case 1 -> {
                                int x = (id * 37 + r) % ReferenceTables.BIG;
                                table = big; key = "key" + x + "@example.com"; value = "target" + x + "@example.net";
                            }
                            case 2 -> { table = small; key = r % 3 == 0 ? "nobody@example.com" : "bob@example.com";
                                value = r % 3 == 0 ? null : ReferenceTables.SMALL.get(key); }
                            default -> { table = ReferenceTables.INLINE; key = "inkey" + (1 + r % 2); value = "invalue" + (1 + r % 2); }
                        }
                        long t0 = System.nanoTime();
                        AttrList open = dialectC
                                ? w.call("request", "open", "table", table, "instance_flags", "540737")
                                : w.call("request", "open", "table", table, "flags", "0");
                        latencies[li.getAndIncrement()] = System.nanoTime() - t0;
                        assertEquals(dialectC ? "status\\00\\0flags\\0540753\\0\\0" : "status\\00\\0flags\\016\\0\\0",
                                WireClient.escaped(open), "client " + id + " open " + table);
                        t0 = System.nanoTime();
                        AttrList got = dialectC
                                ? w.call("request", "lookup", "table", table, "instance_flags", "540737", "flags", "540753", "key", key)
                                : w.call("request", "lookup", "table", table, "flags", "524353", "key", key);
                        latencies[li.getAndIncrement()] = System.nanoTime() - t0;
                        String want = "status\\0" + (value == null ? 1 : 0) + "\\0" + (dialectC ? "flags\\0540753\\0" : "")
                                + "value\\0" + (value == null ? "" : value) + "\\0\\0";
                        assertEquals(want, WireClient.escaped(got), "client " + id + " round " + r + " lookup " + key + " in " + table);
                        goodRequests.addAndGet(2);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : good) t.join(120_000);
        long goodMillis = (System.nanoTime() - start) / 1_000_000;
        goodDone.set(true);
        for (Thread t : bad) t.join(60_000);

        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " failures; first: " + failures.peek(), failures.peek());
            failures.stream().skip(1).limit(5).forEach(e::addSuppressed);
            throw e;
        }
        assertEquals((long) CLIENTS * ROUNDS * 2, goodRequests.get());
        long[] sorted = Arrays.copyOf(latencies, li.get());
        Arrays.sort(sorted);
        long p99 = sorted[(int) (sorted.length * 0.99)] / 1000;
        long max = sorted[sorted.length - 1] / 1000;
        System.out.printf("good: %d requests on %d connections in %d ms, latency p99 %d us, max %d us; malformed scenarios played: %d%n",
                goodRequests.get(), CLIENTS, goodMillis, p99, max, badPlays.get());
        assertTrue(badPlays.get() >= malformed.size(), "every malformed scenario ran at least once: " + badPlays.get());
        // a stalled connection (25 holds its request for the 1 s deadline) must never hold up
        // anybody else: good requests queued behind one would take a second and more
        assertTrue(p99 < 1_000_000, "99% of good requests within 1 s; p99 was " + p99 + " us");
        assertTrue(max < 10_000_000, "slowest good request took " + max + " us");
        assertTrue(server.server.counters().malformed.sum() > 0);
    }
}
