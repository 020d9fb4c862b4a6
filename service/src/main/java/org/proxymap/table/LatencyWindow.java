package org.proxymap.table;

import java.util.function.LongSupplier;

/**
 * Latency percentiles over the last minute of a {@link LatencyHistogram} that counts since
 * the table was opened: the difference between its counts now and a snapshot of them taken
 * a minute ago. Snapshots are taken every {@value #SLOT_SECONDS} s by {@link #tick} (and on
 * every read), so recording costs nothing extra, and a p99 that an incident pushed up comes
 * down again a minute after it. Snapshots keep only the buckets in use (a few KB per table).
 */
public final class LatencyWindow {
    public static final int WINDOW_SECONDS = 60;
    static final int SLOT_SECONDS = 10;
    private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;
    private static final long SLOT_NANOS = SLOT_SECONDS * 1_000_000_000L;
    private static final int SNAPSHOTS = WINDOW_SECONDS / SLOT_SECONDS + 1;

    /** The window's figures: operations, p50, p99 and the slowest bucket, nanoseconds. */
    public record Figures(long count, long p50Nanos, long p99Nanos, long maxNanos) {}

    private final LatencyHistogram histogram;
    private final LongSupplier nanoTime;
    private final long[][] snapshots = new long[SNAPSHOTS][];
    private final long[] takenAt = new long[SNAPSHOTS];
    private int newest;

    public LatencyWindow(LatencyHistogram histogram, LongSupplier nanoTime) {
        this.histogram = histogram;
        this.nanoTime = nanoTime;
        snapshots[0] = new long[0];
        takenAt[0] = nanoTime.getAsLong();
    }

    /** Takes a snapshot when the newest is {@value #SLOT_SECONDS} s old; call it about once a second. */
    public synchronized void tick() {
        long now = nanoTime.getAsLong();
        if (now - takenAt[newest] < SLOT_NANOS) return;
        newest = (newest + 1) % SNAPSHOTS;
        snapshots[newest] = histogram.counts();
        takenAt[newest] = now;
    }

    /** The operations since the oldest snapshot within the window (since open during the first minute). */
    public synchronized Figures recent() {
        long now = nanoTime.getAsLong();
        int base = newest;
        for (int k = 1; k < SNAPSHOTS; k++) { // from the oldest to the newest
            int i = (newest + k) % SNAPSHOTS;
            if (snapshots[i] != null && now - takenAt[i] <= WINDOW_NANOS) {
                base = i;
                break;
            }
        }
        long[] counts = histogram.counts();
        long[] old = snapshots[base];
        long total = 0;
        int top = -1;
        for (int i = 0; i < counts.length; i++) {
            counts[i] -= i < old.length ? old[i] : 0;
            total += counts[i];
            if (counts[i] > 0) top = i;
        }
        tick();
        long cap = histogram.maxNanos();
        return new Figures(total, LatencyHistogram.percentile(counts, 0.5, cap), LatencyHistogram.percentile(counts, 0.99, cap),
                top < 0 ? 0 : Math.min(LatencyHistogram.upperBound(top), cap));
    }
}
