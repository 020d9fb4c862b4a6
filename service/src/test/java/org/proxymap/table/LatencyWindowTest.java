package org.proxymap.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The recent window on a fake clock: a slow burst shows in p99, and is gone a minute later. */
class LatencyWindowTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final LatencyHistogram h = new LatencyHistogram();
    private final LatencyWindow w = new LatencyWindow(h, now::get);

    /** One second of traffic: {@code n} operations of {@code nanos} each, with the ticks a ticker would make. */
    private void second(int n, long nanos) {
        for (int i = 0; i < n; i++) h.record(nanos);
        now.addAndGet(SECOND);
        w.tick();
    }

    @Test
    void p99RecoversAMinuteAfterASlowBurst() {
        for (int s = 0; s < 120; s++) second(100, 20_000); // 20 us, two quiet minutes
        assertNear(20_000, w.recent().p99Nanos());
        for (int s = 0; s < 5; s++) second(100, 2_000_000_000L); // an incident: 5 s of 2 s lookups
        LatencyWindow.Figures during = w.recent();
        assertNear(2_000_000_000L, during.p99Nanos());
        assertNear(2_000_000_000L, during.maxNanos());
        assertNear(20_000, during.p50Nanos()); // 500 of ~6,500 operations were slow
        assertTrue(during.count() >= 5_500 && during.count() <= 7_000, "operations in the window: " + during.count());

        for (int s = 0; s < 30; s++) second(100, 20_000);
        assertNear(2_000_000_000L, w.recent().p99Nanos()); // half a minute on: still in the window
        for (int s = 0; s < 45; s++) second(100, 20_000);
        LatencyWindow.Figures after = w.recent();
        assertNear(20_000, after.p99Nanos()); // recovered
        assertNear(20_000, after.maxNanos());
        assertNear(2_000_000_000L, h.percentileNanos(0.999)); // since open it never does
        assertTrue(after.count() >= 6_000 && after.count() <= 7_000, "operations in the window: " + after.count());
    }

    @Test
    void theFirstMinuteCountsSinceOpenAndAnIdleWindowIsEmpty() {
        second(10, 5_000);
        assertEquals(10, w.recent().count());
        assertNear(5_000, w.recent().p50Nanos());
        for (int s = 0; s < 90; s++) second(0, 0);
        LatencyWindow.Figures idle = w.recent();
        assertEquals(new LatencyWindow.Figures(0, 0, 0, 0), idle);
    }

    @Test
    void readsAloneKeepTheWindowWhenTheTickerIsLate() {
        second(10, 5_000);
        now.addAndGet(30 * SECOND); // no tick for half a minute: a read takes the snapshot
        assertEquals(10, w.recent().count());
        now.addAndGet(70 * SECOND);
        assertEquals(0, w.recent().count());
    }

    /** Within the histogram's resolution (12.5 %). */
    private static void assertNear(long expected, long actual) {
        assertTrue(actual >= expected * 0.87 && actual <= expected * 1.13, "expected about " + expected + ", got " + actual);
    }
}
