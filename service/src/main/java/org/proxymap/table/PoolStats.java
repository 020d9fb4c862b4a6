package org.proxymap.table;

/**
 * A connection pool's figures, as a pooled resource reports them; management turns them into
 * its JMX record. Never carries a password.
 *
 * @param name            {@code kind:target}, e.g. {@code mysql:user@host/db}: the pool's JMX name
 * @param target          what the pool connects to: user@hosts/dbname (no password)
 * @param hostInUse       the host of the most recent successful connection, or ""
 * @param active          connections lent out now
 * @param idle            connections idle in the pool
 * @param waiters         requests waiting for a connection
 * @param maxTotal        the pool's cap
 * @param created         connections opened since start
 * @param destroyed       connections closed since start
 * @param connectFailures failed connection attempts since start
 * @param hosts           hosts (servers) the pool may connect to
 * @param hostsDown       hosts whose last connection attempt failed
 */
public record PoolStats(String name, String target, String hostInUse, int active, int idle, int waiters, int maxTotal,
                        long created, long destroyed, long connectFailures, int hosts, int hostsDown) {
}
