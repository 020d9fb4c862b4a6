package org.proxymap.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/**
 * Soak: moderate, mixed load on a real server - steady clients, connection churn, hostile
 * inputs, a reload every few seconds - with file descriptors, platform threads and heap
 * (after GC) sampled throughout. Fails on a wrong or failed reply, or on a growth trend.
 * 20 s in the normal suite; {@code scripts/soak MINUTES} for the long run.
 */
class SoakTest {
    record Sample(double seconds, ProcessStats stats, long served) {}

    @Test
    void moderateMixedLoadShowsNoGrowth() throws Exception {
        String minutes = System.getProperty("proxymap.soak.minutes");
        long durationMillis = minutes == null || minutes.isBlank() ? 20_000 : (long) (Double.parseDouble(minutes) * 60_000);
        long sampleMillis = durationMillis <= 60_000 ? 1_000 : 10_000;
        Path dir = TestServer.newConfig(WireFuzzTest.CONFIG);
        Clients.writeTable(dir.resolve("etc/t"), 1000);
        Files.writeString(dir.resolve("etc/proxymap.cf"), "proxymap_request_deadline = 1s\nproxymap_idle_timeout = 5s\n");
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ConcurrentLinkedQueue<String> problems = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicLong churned = new AtomicLong(), hostile = new AtomicLong(), reloads = new AtomicLong(), churnWrong = new AtomicLong();
        try (TestServer s = TestServer.start(dir);
             ScheduledExecutorService timer = Executors.newScheduledThreadPool(2)) {
            String t = "texthash:" + s.etc.resolve("t");
            long seed = Budget.seed();
            long t0 = System.nanoTime();
            try (GoodClients good = new GoodClients(s.proxymap(), t, 1000, 32, 1000, false)) {
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                Thread churn = Thread.ofVirtual().start(() -> {
                    long i = 0;
                    while (!stop.get()) {
                        try (WireClient c = Clients.connect(s.proxymap())) { // a short-lived client, as postmap -q is
                            AttrList r = c.call("request", "lookup", "table", t, "flags", "540737", "key", "k" + (i % 1000));
                            if (r == null || !WireClient.escaped(r).equals("status\\00\\0value\\0v" + (i % 1000) + "\\0\\0")) {
                                churnWrong.incrementAndGet();
                                problems.add("churn k" + (i % 1000) + ": " + r);
                            }
                            churned.incrementAndGet();
                        } catch (IOException e) {
                            churnWrong.incrementAndGet();
                            problems.add("churn: " + e);
                        }
                        if (i % 10 == 0) { // and a hostile one
                            try {
                                var o = WireFuzzTest.exchange(s.proxymap(), new HostileInput(seed + i, List.of(t, "static:x"), 64, 4096).next(), timer);
                                hostile.incrementAndGet();
                                if (o.problem() != null) problems.add("hostile seed " + (seed + i) + ": " + o.problem());
                            } catch (IOException e) {
                                problems.add("hostile: " + e);
                            }
                        }
                        i++;
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                timer.scheduleAtFixedRate(() -> {
                    if (s.reloader.reload().ok()) reloads.incrementAndGet();
                }, 3, 3, java.util.concurrent.TimeUnit.SECONDS);
                while (System.nanoTime() - t0 < durationMillis * 1_000_000) {
                    Thread.sleep(sampleMillis);
                    Sample x = new Sample((System.nanoTime() - t0) / 1e9, ProcessStats.sample(true), good.served.sum());
                    samples.add(x);
                    System.out.printf("soak sample: %6.0f s  %s  served %d%n", x.seconds(), x.stats(), x.served());
                }
                stop.set(true); // not interrupt(): that would fail the client's I/O and count as a failure
                churn.join();
                timer.shutdownNow();
                good.close();
                double seconds = (System.nanoTime() - t0) / 1e9;
                long requests = good.total() + churned.get();
                System.out.printf("soak: %.0f s, %d requests (%.0f/s): steady %s; churn %d connections, %d wrong/failed; "
                        + "%d hostile connections; %d reloads; server: %d connections, %d malformed, %d deadline expiries%n",
                        seconds, requests, requests / seconds, good.summary(), churned.get(), churnWrong.get(), hostile.get(),
                        reloads.get(), s.server.counters().connectionsAccepted.sum(), s.server.counters().malformed.sum(),
                        s.server.counters().deadlineExpiries.sum());
                writeCsv(samples);
                assertEquals(0, good.wrong.sum() + good.failed.sum(), good.summary());
                assertEquals(0, churnWrong.get(), "churn clients with a wrong or no answer: " + problems);
                assertTrue(problems.isEmpty(), problems.toString());
                assertTrue(reloads.get() > 0);
                assertNoGrowth(samples);
            }
        }
    }

    /** Compares the last third of the samples with the first third (the first sample is warm-up). */
    static void assertNoGrowth(List<Sample> all) {
        List<Sample> s = all.subList(1, all.size());
        assertTrue(s.size() >= 6, "too few samples: " + s.size());
        int third = s.size() / 3;
        List<Sample> first = s.subList(0, third), last = s.subList(s.size() - third, s.size());
        long fds0 = first.stream().mapToLong(x -> x.stats().fds()).max().orElseThrow();
        long fds1 = last.stream().mapToLong(x -> x.stats().fds()).max().orElseThrow();
        int thr0 = first.stream().mapToInt(x -> x.stats().threads()).max().orElseThrow();
        int thr1 = last.stream().mapToInt(x -> x.stats().threads()).max().orElseThrow();
        long heap0 = median(first.stream().mapToLong(x -> x.stats().heapBytes()).toArray());
        long heap1 = median(last.stream().mapToLong(x -> x.stats().heapBytes()).toArray());
        System.out.printf("soak trend: fds %d -> %d, platform threads %d -> %d, heap after GC (median) %.1f -> %.1f MiB%n",
                fds0, fds1, thr0, thr1, heap0 / 1048576.0, heap1 / 1048576.0);
        assertTrue(fds1 <= fds0 + 16, "file descriptors grow: " + fds0 + " -> " + fds1);
        assertTrue(thr1 <= thr0 + 4, "platform threads grow: " + thr0 + " -> " + thr1);
        assertTrue(heap1 <= heap0 + heap0 / 4 + (16L << 20), "heap grows: " + heap0 + " -> " + heap1);
    }

    static long median(long[] v) {
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }

    static void writeCsv(List<Sample> samples) throws IOException {
        Path out = Path.of("target", "soak-samples.csv");
        StringBuilder sb = new StringBuilder("seconds,fds,platform_threads,heap_after_gc_bytes,served\n");
        for (Sample x : samples) {
            sb.append(String.format("%.0f,%d,%d,%d,%d%n", x.seconds(), x.stats().fds(), x.stats().threads(), x.stats().heapBytes(), x.served()));
        }
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb);
    }
}
