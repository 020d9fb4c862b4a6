package org.proxymap.jmx;

import java.util.Map;

/**
 * The process and its protocol counters ({@value ObjectNames#SERVICE}). Counters count
 * since the process started; operator lookups made through {@link TablesMXBean#lookup}
 * are counted like client requests.
 */
public interface ServiceMXBean {
    /** Process id of the JVM. */
    long getPid();

    /** The service's version ({@link Version}). */
    String getVersion();

    /** When the service started, epoch milliseconds. */
    long getStartTimeMillis();

    long getUptimeMillis();

    /** Postfix configuration directory in use ({@code -c}). */
    String getConfigDirectory();

    /** Configuration generation in force: 1 at start, +1 per successful reload. */
    long getConfigGeneration();

    long getConnectionsAccepted();

    long getConnectionsActive();

    /** Most connections open at once since start. */
    long getConnectionsPeak();

    /** Requests by type: open, lookup, update, delete, sequence, other. */
    Map<String, Long> getRequests();

    /** Replies by status: OK, NOKEY, RETRY, BAD, DENY, CONFIG. */
    Map<String, Long> getReplies();

    /** Requests refused: unapproved tables and writes on the read-only service. */
    long getDenied();

    /** Requests that broke the protocol (unknown request, missing or bad attributes). */
    long getMalformed();

    /** Connections closed because a request did not arrive in full within proxymap_request_deadline. */
    long getDeadlineExpiries();

    /** Connections closed after proxymap_idle_timeout without a request. */
    long getIdleTimeouts();

    /** Failed accept() calls, e.g. out of file descriptors (logged once per episode). */
    long getAcceptFailures();

    /** Requests that hit a bug on the server's side: that connection was closed and the error logged. */
    long getInternalErrors();

    /** Times the process did not run for a while (GC pause, CPU starvation); deadlines were paused meanwhile. */
    long getStalls();

    /** When the most recent stall ended, epoch milliseconds, or 0. */
    long getLastStallMillis();

    /** When the most recent stall of a second or more ended (the ones logged), epoch milliseconds, or 0. */
    long getLastLongStallMillis();

    /** regexp:/pcre: rules that ran out of their match budget (catastrophic backtracking) and were skipped. */
    long getPatternMatchLimits();

    /** Requests by client dialect: "A/B" (Postfix up to 3.10) and "C" (3.11+). */
    Map<String, Long> getRequestsByDialect();

    /** Live platform threads (the first proxymap_platform_threads connections run on one each, further ones on virtual threads). */
    int getThreads();

    long getHeapUsedBytes();

    /** The heap limit (-Xmx), or -1 when undefined. */
    long getHeapMaxBytes();
}
