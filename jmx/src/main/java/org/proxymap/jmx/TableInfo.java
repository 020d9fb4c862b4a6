package org.proxymap.jmx;

/**
 * One open table instance. Postfix clients share one instance per table name, access mode
 * and instance flags, so a name can appear more than once. Counters count since the
 * instance was opened (a reload that changes or drops a table opens a fresh one).
 *
 * @param name             {@code type:name}, as in proxy_read_maps without {@code proxy:}
 * @param type             table type, e.g. {@code texthash}, {@code mysql}
 * @param writable         opened through the proxywrite service
 * @param instanceFlags    the client's instance flags (dictionary flags that select an instance)
 * @param openedMillis     when it was opened, epoch milliseconds
 * @param available        false when the table could not be opened and every request gets RETRY
 * @param lookups          lookups
 * @param hits             lookups that found the key
 * @param misses           lookups that did not
 * @param errors           operations that failed (the table threw an error)
 * @param retries          operations answered RETRY (temporary failure; the client defers)
 * @param updates          update requests
 * @param deletes          delete requests
 * @param denials          requests for this name that were refused (not approved, or a write
 *                         on the read-only service), since start
 * @param lastError        the most recent error, or "" when none
 * @param lastErrorMillis  when it happened, epoch milliseconds, or 0
 * @param latencyP50Micros median time per operation, microseconds (log-linear histogram, 12.5 % resolution)
 * @param latencyP99Micros 99th percentile, microseconds
 * @param latencyMaxMicros slowest operation, microseconds
 * @param cacheHits        lookups the cache answered without asking the table (proxymap_cache_maps)
 * @param cacheMisses      lookups the cache passed on to the table
 * @param cacheStaleServed lookups answered by an expired cached answer while the table answered RETRY
 * @param cacheCoalesced   lookups that waited for the same key's lookup already running
 * @param cacheEntries     answers cached for this instance now
 * @param recentLatencyP50Micros median over the last minute ({@link TableMXBean#getRecentWindowSeconds()}),
 *                         microseconds; 0 when the minute saw no operation
 * @param recentLatencyP99Micros 99th percentile over the last minute: unlike the since-open one, it
 *                         comes down again after an incident
 */
public record TableInfo(String name, String type, boolean writable, int instanceFlags, long openedMillis,
                        boolean available, long lookups, long hits, long misses, long errors, long retries,
                        long updates, long deletes, long denials, String lastError, long lastErrorMillis,
                        double latencyP50Micros, double latencyP99Micros, double latencyMaxMicros,
                        long cacheHits, long cacheMisses, long cacheStaleServed, long cacheCoalesced, long cacheEntries,
                        double recentLatencyP50Micros, double recentLatencyP99Micros) {
}
