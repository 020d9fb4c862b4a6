package org.proxymap.daemon;

import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.jmx.ReloadResult;
import org.proxymap.server.ProxymapServer;

/**
 * Reload: parse, validate, swap. A configuration that does not load is refused and the
 * old one keeps serving; client connections stay open either way. Tables that are no
 * longer approved are closed once their requests in flight finish.
 */
public final class Reloader {
    private static final Logger log = LogManager.getLogger("proxymap");

    private final Path configDirectory;
    private final ProxymapServer server;
    private volatile ReloadResult last;
    private final java.util.concurrent.atomic.AtomicLong succeeded = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

    public Reloader(Path configDirectory, ProxymapServer server) {
        this.configDirectory = configDirectory;
        this.server = server;
    }

    public synchronized ReloadResult reload() {
        long start = System.nanoTime();
        ReloadResult result;
        try {
            ServiceConfig next = ServiceConfig.load(configDirectory);
            next.warnings().forEach(log::warn);
            server.install(next);
            server.registry().retire(h -> !(h.writable() ? next.writeMaps : next.readMaps).allows(h.fullName()));
            long gen = server.state().generation();
            result = new ReloadResult(true, "ok", gen, (System.nanoTime() - start) / 1_000_000, System.currentTimeMillis());
            log.info("reload: configuration generation {} in force", gen);
        } catch (ConfigException | RuntimeException e) {
            long gen = server.state().generation();
            result = new ReloadResult(false, e.getMessage(), gen, (System.nanoTime() - start) / 1_000_000,
                    System.currentTimeMillis());
            log.error("reload refused, still serving configuration generation {}: {}", gen, e.getMessage());
        }
        last = result;
        (result.ok() ? succeeded : refused).incrementAndGet();
        return result;
    }

    /** The last reload's outcome, or null before the first. */
    public ReloadResult last() { return last; }

    /** Reloads that put a new configuration in force, since start. */
    public long succeeded() { return succeeded.get(); }

    /** Reloads refused (the old configuration kept serving), since start. */
    public long refused() { return refused.get(); }

    public Path configDirectory() { return configDirectory; }
}
