package org.proxymap.jmx;

import java.util.List;

/** Database connection pools, one per target ({@value ObjectNames#POOLS}). Never a password. */
public interface PoolsMXBean {
    /** Every live pool, sorted by target. */
    List<PoolInfo> getPools();
}
