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
    @Override public CheckReport check() { return reloader.check(); }
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
