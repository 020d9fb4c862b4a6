package org.proxymap.management;

import org.proxymap.jmx.CachedTableMXBean;
import org.proxymap.server.Dispatcher;
import org.proxymap.table.LatencyHistogram;
import org.proxymap.table.LatencyWindow;
import org.proxymap.table.TableCounters;
import org.proxymap.table.TableHandle;

/** One table instance's MXBean; registered as {@link CachedTableMXBean} only while the table is cached. */
final class TableBean implements CachedTableMXBean {
    private final TableHandle h;
    private final TableCounters c;
    private final Dispatcher dispatcher;

    TableBean(TableHandle h, Dispatcher dispatcher) {
        this.h = h;
        this.c = h.counters();
        this.dispatcher = dispatcher;
    }

    /** Nanoseconds as microseconds to a tenth, as JMX shows latencies. */
    static double micros(long nanos) { return Math.round(nanos / 100.0) / 10.0; }

    @Override public String getName() { return h.fullName(); }
    @Override public String getType() { return h.type(); }
    @Override public boolean isWritable() { return h.writable(); }
    @Override public int getInstanceFlags() { return h.instanceFlags(); }
    @Override public long getOpenedMillis() { return h.openedMillis(); }
    @Override public boolean isAvailable() { return !h.isSurrogate(); }
    @Override public long getLookups() { return c.lookups.sum(); }
    @Override public long getHits() { return c.hits.sum(); }
    @Override public long getMisses() { return c.misses.sum(); }
    @Override public long getErrors() { return c.errors.sum(); }
    @Override public long getRetries() { return c.retries.sum(); }
    @Override public long getUpdates() { return c.updates.sum(); }
    @Override public long getDeletes() { return c.deletes.sum(); }

    @Override
    public String getLastError() {
        String e = c.lastError();
        return e == null ? "" : e;
    }

    @Override public long getLastErrorMillis() { return c.lastErrorMillis(); }

    private LatencyHistogram latency() { return c.latencyHistogram(); }

    @Override public double getLatencyP50Micros() { return micros(latency().percentileNanos(0.5)); }
    @Override public double getLatencyP99Micros() { return micros(latency().percentileNanos(0.99)); }
    @Override public double getLatencyMaxMicros() { return micros(latency().maxNanos()); }
    @Override public int getRecentWindowSeconds() { return LatencyWindow.WINDOW_SECONDS; }
    @Override public long getRecentOperations() { return c.recentLatency().recent().count(); }
    @Override public double getRecentLatencyP50Micros() { return micros(c.recentLatency().recent().p50Nanos()); }
    @Override public double getRecentLatencyP99Micros() { return micros(c.recentLatency().recent().p99Nanos()); }
    @Override public double getRecentLatencyMaxMicros() { return micros(c.recentLatency().recent().maxNanos()); }
    @Override public long getCacheHits() { return c.cacheHits.sum(); }
    @Override public long getCacheMisses() { return c.cacheMisses.sum(); }
    @Override public long getCacheStaleServed() { return c.cacheStaleServed.sum(); }
    @Override public long getCacheCoalesced() { return c.cacheCoalesced.sum(); }
    @Override public long getCacheEntries() { return dispatcher.cacheEntries(h); }
}
