package org.proxymap.table;

/**
 * A connection pool's figures, as a pooled resource reports them; management turns them into
 * its JMX record. Never carries a password.
 *
 * @param target          what the pool connects to: user@hosts/dbname (no password)
 * @param hostInUse       the host of the most recent successful connection, or ""
 * @param active          connections lent out now
 * @param idle            connections idle in the pool
 * @param waiters         requests waiting for a connection
 * @param maxTotal        the pool's cap
 * @param created         connections opened since start
 * @param destroyed       connections closed since start
 * @param connectFailures failed connection attempts since start
 */
public record PoolStats(String target, String hostInUse, int active, int idle, int waiters, int maxTotal,
                        long created, long destroyed, long connectFailures) {
}
