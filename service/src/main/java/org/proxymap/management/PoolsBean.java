package org.proxymap.management;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.proxymap.jmx.PoolInfo;
import org.proxymap.jmx.PoolsMXBean;
import org.proxymap.table.PoolStats;
import org.proxymap.table.PooledResource;
import org.proxymap.table.SharedResources;

/** {@link PoolsMXBean}: every shared resource that is a connection pool. */
final class PoolsBean implements PoolsMXBean {
    private final SharedResources resources;

    PoolsBean(SharedResources resources) {
        this.resources = resources;
    }

    @Override
    public List<PoolInfo> getPools() {
        List<PoolInfo> pools = new ArrayList<>();
        for (AutoCloseable r : resources.snapshot().values()) {
            if (r instanceof PooledResource p) pools.add(info(p.poolStats()));
        }
        pools.sort(Comparator.comparing(PoolInfo::target));
        return pools;
    }

    private static PoolInfo info(PoolStats s) {
        return new PoolInfo(s.target(), s.hostInUse(), s.active(), s.idle(), s.waiters(), s.maxTotal(), s.created(),
                s.destroyed(), s.connectFailures(), s.hosts(), s.hostsDown());
    }
}
