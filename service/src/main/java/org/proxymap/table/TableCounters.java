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
    /** operations answered RETRY (counted by the Dispatcher) */
    public final LongAdder retries = new LongAdder();
    /** lookups the cache answered (proxymap_cache_maps), without asking the table */
    public final LongAdder cacheHits = new LongAdder();
    /** lookups the cache passed on to the table */
    public final LongAdder cacheMisses = new LongAdder();
    /** lookups answered by an expired cached answer because the table answered RETRY */
    public final LongAdder cacheStaleServed = new LongAdder();
    /** lookups that waited for the same key's lookup already running instead of asking the table */
    public final LongAdder cacheCoalesced = new LongAdder();
    private final LatencyHistogram latency = new LatencyHistogram();
    private final LatencyWindow recentLatency = new LatencyWindow(latency, System::nanoTime);
    private volatile String lastError;
    private volatile long lastErrorMillis;

    public void error(String message) {
        errors.increment();
        lastError = message;
        lastErrorMillis = System.currentTimeMillis();
    }

    /** Records the time one operation took. */
    public void latency(long nanos) { latency.record(nanos); }

    public long maxLatencyNanos() { return latency.maxNanos(); }

    /** Latency distribution of every operation since the table was opened. */
    public LatencyHistogram latencyHistogram() { return latency; }

    /** Latency over the last minute. */
    public LatencyWindow recentLatency() { return recentLatency; }

    public String lastError() { return lastError; }

    public long lastErrorMillis() { return lastErrorMillis; }
}
