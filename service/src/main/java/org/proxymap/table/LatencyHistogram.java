package org.proxymap.table;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free latency histogram with log-linear buckets: each power of two is split into 8
 * linear sub-buckets, so a reported percentile is within 12.5 % of the true value, from
 * nanoseconds to about 18 minutes (longer times land in the last bucket). Recording is one
 * {@link LongAdder} increment, cheap enough for every request from many threads.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 3;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAX_EXPONENT = 40; // 2^40 ns, about 18 minutes
    private static final int BUCKETS = (MAX_EXPONENT - SUB_BITS + 2) * SUB;

    private final LongAdder[] counts = new LongAdder[BUCKETS];
    private final LongAccumulator max = new LongAccumulator(Math::max, 0);

    public LatencyHistogram() {
        for (int i = 0; i < BUCKETS; i++) counts[i] = new LongAdder();
    }

    static int bucket(long nanos) {
        if (nanos < SUB) return (int) Math.max(nanos, 0);
        int exponent = 63 - Long.numberOfLeadingZeros(nanos);
        if (exponent > MAX_EXPONENT) return BUCKETS - 1;
        int sub = (int) (nanos >>> (exponent - SUB_BITS)) & (SUB - 1);
        return (exponent - SUB_BITS + 1) * SUB + sub;
    }

    /** The largest value that falls into bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB) return i;
        int exponent = i / SUB + SUB_BITS - 1;
        long sub = i % SUB;
        return ((SUB + sub + 1) << (exponent - SUB_BITS)) - 1;
    }

    public void record(long nanos) {
        counts[bucket(nanos)].increment();
        max.accumulate(nanos);
    }

    public long count() {
        long n = 0;
        for (LongAdder c : counts) n += c.sum();
        return n;
    }

    public long maxNanos() { return max.get(); }

    /** The count in every bucket now, without trailing empty buckets (for {@link LatencyWindow}). */
    long[] counts() {
        long[] snapshot = new long[BUCKETS];
        int used = 0;
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = counts[i].sum();
            if (snapshot[i] != 0) used = i + 1;
        }
        return java.util.Arrays.copyOf(snapshot, used);
    }

    /**
     * The value below which {@code fraction} (0..1) of the recordings fall, as the upper
     * bound of its bucket (never above the maximum seen); 0 when nothing was recorded.
     */
    public long percentileNanos(double fraction) {
        return percentile(counts(), fraction, maxNanos());
    }

    /** {@link #percentileNanos} of bucket counts (as {@link #counts()}), never above {@code cap}. */
    static long percentile(long[] counts, double fraction, long cap) {
        long total = 0;
        for (long c : counts) total += c;
        if (total == 0) return 0;
        long rank = Math.max(1, (long) Math.ceil(fraction * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) return Math.min(upperBound(i), cap);
        }
        return cap;
    }
}
