package org.proxymap.table;

import java.util.concurrent.atomic.LongAdder;

/** Per-table operator counters; cheap enough for every request (LongAdder, no locks). */
public final class TableCounters {
    public final LongAdder lookups = new LongAdder();
    public final LongAdder hits = new LongAdder();
    public final LongAdder misses = new LongAdder();
    public final LongAdder errors = new LongAdder();
    public final LongAdder updates = new LongAdder();
    public final LongAdder deletes = new LongAdder();
    private final java.util.concurrent.atomic.LongAccumulator maxNanos =
            new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
    private volatile String lastError;
    private volatile long lastErrorMillis;

    public void error(String message) {
        errors.increment();
        lastError = message;
        lastErrorMillis = System.currentTimeMillis();
    }

    /** Records the time one operation took. */
    public void latency(long nanos) { maxNanos.accumulate(nanos); }

    public long maxLatencyNanos() { return maxNanos.get(); }

    public String lastError() { return lastError; }

    public long lastErrorMillis() { return lastErrorMillis; }
}
