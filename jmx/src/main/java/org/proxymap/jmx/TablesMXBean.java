package org.proxymap.jmx;

import java.util.List;
import java.util.Map;

/** The table registry ({@value ObjectNames#TABLES}): every open table, and lookups for operators. */
public interface TablesMXBean {
    /** Every open table instance, sorted by name. */
    List<TableInfo> getTables();

    /** Refused requests per table name (at most 1000 names are tracked), since start. */
    Map<String, Long> getDenials();

    /**
     * The open instances of one table.
     *
     * @param name {@code type:name}, with or without {@code proxy:}
     * @return empty when no client has opened it yet
     */
    List<TableInfo> table(String name);

    /**
     * Looks up {@code key} in {@code table} as a proxymap client on the read-only service
     * would: the same allow-list (proxy_read_maps), the same shared table instance and
     * counters, fixed-string keys case-folded. An unapproved table answers DENY.
     * Needs the readwrite role (it reads table contents).
     *
     * @param table {@code type:name}, with or without {@code proxy:}
     */
    LookupResult lookup(String table, String key);

    /**
     * Drops the cached answers of {@code table} (proxymap_cache_maps), every instance, or only
     * those of {@code key} when it is not null or empty: the next lookup asks the table.
     * Needs the readwrite role.
     *
     * @param table {@code type:name}, with or without {@code proxy:}
     * @return how many answers were dropped
     */
    int cacheDrop(String table, String key);
}
