package org.proxymap.jmx;

/**
 * One open table instance ({@link ObjectNames#table}), registered when a client first opens it
 * and unregistered when it closes or a reload drops it. Plain numbers and strings only, so
 * that the Prometheus JMX exporter, Zabbix and Nagios JMX checks read every attribute (they
 * skip the composite arrays of {@link TablesMXBean#getTables()}). Counters count since the
 * instance was opened; the {@code Recent} latencies cover the last
 * {@link #getRecentWindowSeconds()} seconds, so they recover after an incident.
 */
public interface TableMXBean {
    /** {@code type:name}, as in proxy_read_maps without {@code proxy:}. */
    String getName();

    String getType();

    /** Opened through the proxywrite service. */
    boolean isWritable();

    /** The instance flags that selected this instance (see {@link TableInfo}). */
    int getInstanceFlags();

    long getOpenedMillis();

    /** False when the table could not be opened and every request gets RETRY (a surrogate). */
    boolean isAvailable();

    long getLookups();

    long getHits();

    /** Lookups that did not find the key. */
    long getMisses();

    long getErrors();

    /** Operations answered RETRY (the client defers). */
    long getRetries();

    long getUpdates();

    long getDeletes();

    /** The most recent error, or "". */
    String getLastError();

    long getLastErrorMillis();

    /** Median time per operation since open, microseconds. */
    double getLatencyP50Micros();

    double getLatencyP99Micros();

    double getLatencyMaxMicros();

    /** How far back the {@code Recent} figures reach. */
    int getRecentWindowSeconds();

    /** Operations within the recent window. */
    long getRecentOperations();

    /** Median over the recent window, microseconds; 0 when the window saw no operation. */
    double getRecentLatencyP50Micros();

    double getRecentLatencyP99Micros();

    /** The slowest operation in the window, to the histogram's resolution (12.5 %). */
    double getRecentLatencyMaxMicros();
}
