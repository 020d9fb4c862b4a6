package org.proxymap.management;

import org.proxymap.daemon.ConfigChecker;
import org.proxymap.daemon.Reloader;
import org.proxymap.jmx.CheckReport;
import org.proxymap.jmx.ReloadMXBean;
import org.proxymap.jmx.ReloadResult;
import org.proxymap.server.ProxymapServer;

/** {@link ReloadMXBean} over the daemon's {@link Reloader} (shared with SIGUSR2). */
final class ReloadBean implements ReloadMXBean {
    private final ProxymapServer server;
    private final Reloader reloader;

    ReloadBean(ProxymapServer server, Reloader reloader) {
        this.server = server;
        this.reloader = reloader;
    }

    @Override public ReloadResult reload() { return reloader.reload(); }
    @Override public CheckReport check() { return ConfigChecker.check(reloader.configDirectory()); }
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
