package org.proxymap.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void bucketsCoverEveryValueAndBoundTheirMembers() {
        for (long v : new long[] {0, 1, 7, 8, 9, 15, 16, 17, 1000, 123_456_789, 1L << 40, Long.MAX_VALUE}) {
            int b = LatencyHistogram.bucket(v);
            if (v < 1L << 41) {
                assertTrue(LatencyHistogram.upperBound(b) >= v, v + " in bucket " + b);
                assertTrue(b == 0 || LatencyHistogram.upperBound(b - 1) < v, v + " below bucket " + b);
            }
        }
        assertEquals(LatencyHistogram.bucket(Long.MAX_VALUE), LatencyHistogram.bucket((1L << 41) + 5));
    }

    @Test
    void percentilesAreWithinOneEighth() {
        LatencyHistogram h = new LatencyHistogram();
        assertEquals(0, h.percentileNanos(0.5));
        for (int i = 1; i <= 1000; i++) h.record(i * 1000L); // 1 us .. 1 ms
        h.record(50_000_000); // one slow outlier: 50 ms
        assertEquals(1001, h.count());
        long p50 = h.percentileNanos(0.5);
        long p99 = h.percentileNanos(0.99);
        assertTrue(p50 >= 501_000 && p50 <= 501_000 * 1.125, "p50 " + p50);
        assertTrue(p99 >= 991_000 && p99 <= 991_000 * 1.125, "p99 " + p99);
        assertEquals(50_000_000, h.percentileNanos(1.0));
        assertEquals(50_000_000, h.maxNanos());
    }
}
