package org.proxymap.management;

import org.proxymap.jmx.PoolMXBean;
import org.proxymap.table.PoolStats;
import org.proxymap.table.PooledResource;

/** One connection pool's MXBean: each attribute reads the pool's figures afresh. */
final class PoolBean implements PoolMXBean {
    private final PooledResource pool;

    PoolBean(PooledResource pool) {
        this.pool = pool;
    }

    private PoolStats s() { return pool.poolStats(); }

    @Override public String getName() { return s().name(); }
    @Override public String getTarget() { return s().target(); }
    @Override public String getHostInUse() { return s().hostInUse(); }
    @Override public int getActive() { return s().active(); }
    @Override public int getIdle() { return s().idle(); }
    @Override public int getWaiters() { return s().waiters(); }
    @Override public int getMax() { return s().maxTotal(); }
    @Override public long getCreated() { return s().created(); }
    @Override public long getDestroyed() { return s().destroyed(); }
    @Override public long getConnectFailures() { return s().connectFailures(); }
    @Override public int getHosts() { return s().hosts(); }
    @Override public int getHostsDown() { return s().hostsDown(); }
}
