package org.proxymap.management;

import org.proxymap.jmx.CheckReport;
import org.proxymap.jmx.ReloadMXBean;
import org.proxymap.jmx.ReloadResult;
import org.proxymap.server.ProxymapServer;

/** {@link ReloadMXBean} over the daemon's {@link ReloadControl} (the reload SIGUSR2 runs too). */
final class ReloadBean implements ReloadMXBean {
    private final ProxymapServer server;
    private final ReloadControl reloader;

    ReloadBean(ProxymapServer server, ReloadControl reloader) {
        this.server = server;
        this.reloader = reloader;
    }

    @Override public ReloadResult reload() { return reloader.reload(); }
    /**
     * One check at a time: a check opens every approved table (database tables connect), and
     * readonly users may call it, so concurrent calls must not multiply database connections.
     */
    @Override
    public CheckReport check() {
        if (!checking.tryAcquire()) {
            return new CheckReport(false, java.util.List.of("a check is already running; try again when it has finished"),
                    java.util.List.of());
        }
        try {
            return reloader.check();
        } finally {
            checking.release();
        }
    }

    private final java.util.concurrent.Semaphore checking = new java.util.concurrent.Semaphore(1);
    @Override public long getGeneration() { return server.state().generation(); }
    @Override public ReloadResult getLastReload() { return reloader.last(); }

    @Override
    public boolean isLastReloadOk() {
        ReloadResult r = reloader.last();
        return r == null || r.ok();
    }

    @Override
    public String getLastReloadMessage() {
        ReloadResult r = reloader.last();
        return r == null ? "" : r.message();
    }

    @Override
    public long getLastReloadTimeMillis() {
        ReloadResult r = reloader.last();
        return r == null ? 0 : r.timeMillis();
    }

    @Override public long getReloadsSucceeded() { return reloader.succeeded(); }
    @Override public long getReloadsRefused() { return reloader.refused(); }
}
