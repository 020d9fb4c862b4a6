package org.proxymap.jmx;

/**
 * One database connection pool ({@link ObjectNames#pool}), shared by every table that uses the
 * same target; registered while a table holds it. Plain numbers and strings, never a password.
 */
public interface PoolMXBean {
    /** {@code kind:user@hosts/dbname}, as in the object name. */
    String getName();

    /** What the pool connects to (see {@link PoolInfo#target()}). */
    String getTarget();

    /** The host of the most recent successful connection, or "". */
    String getHostInUse();

    int getActive();

    int getIdle();

    int getWaiters();

    /** The pool's cap. */
    int getMax();

    long getCreated();

    long getDestroyed();

    long getConnectFailures();

    /** Hosts (servers) the pool may connect to. */
    int getHosts();

    /** Hosts whose last connection attempt failed; every one of them down: lookups answer RETRY. */
    int getHostsDown();
}
