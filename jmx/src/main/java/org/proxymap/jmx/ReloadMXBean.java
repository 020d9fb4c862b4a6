package org.proxymap.jmx;

/**
 * Configuration reload and check ({@value ObjectNames#RELOAD}). A reload parses and
 * validates the configuration and swaps it in; a configuration that does not load is
 * refused and the old one keeps serving. SIGUSR2 does the same; both show up here.
 */
public interface ReloadMXBean {
    /** Reloads now. Needs the readwrite role. */
    ReloadResult reload();

    /** Checks the configuration on disk without changing the running service. */
    CheckReport check();

    /** Configuration generation in force: 1 at start, +1 per successful reload. */
    long getGeneration();

    /** The most recent reload, or null when there has been none. */
    ReloadResult getLastReload();

    /** Whether the most recent reload succeeded (true when there has been none). */
    boolean isLastReloadOk();

    /** "ok", the reason the most recent reload was refused, or "" when there has been none. */
    String getLastReloadMessage();

    /** When the most recent reload finished, epoch milliseconds, or 0. */
    long getLastReloadTimeMillis();

    long getReloadsSucceeded();

    long getReloadsRefused();
}
