package org.proxymap.table;

import org.proxymap.jmx.PoolInfo;

/** A shared resource in {@link SharedResources} that is a connection pool, for monitoring. */
public interface PooledResource extends AutoCloseable {
    PoolInfo poolInfo();
}
