package org.proxymap.jmx;

/** A table whose lookups go through the lookup cache (proxymap_cache_maps): its cache counters too. */
public interface CachedTableMXBean extends TableMXBean {
    /** Lookups the cache answered without asking the table. */
    long getCacheHits();

    long getCacheMisses();

    /** Lookups answered by an expired cached answer while the table answered RETRY. */
    long getCacheStaleServed();

    /** Lookups that waited for the same key's lookup already running. */
    long getCacheCoalesced();

    /** Answers cached for this instance now. */
    long getCacheEntries();
}
