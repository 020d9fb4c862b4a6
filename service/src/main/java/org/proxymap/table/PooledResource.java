package org.proxymap.table;

/**
 * A shared resource in {@link SharedResources} that is a connection pool, for monitoring: it
 * reports plain figures and does not know who watches (management maps them to JMX).
 */
public interface PooledResource extends AutoCloseable {
    PoolStats poolStats();
}
