package org.proxymap.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.jmx.CheckReport;
import org.proxymap.jmx.ReloadResult;
import org.proxymap.management.ReloadControl;
import org.proxymap.server.ProxymapServer;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableName;
import org.proxymap.table.TableRegistry;
import org.proxymap.table.TableType;

/**
 * Reload (SIGUSR2, jsvc's signal(), JMX): parse, validate, swap.
 *
 * <ol>
 * <li>parse main.cf and proxymap.cf, expand, type-check every setting and compute both
 *     allow-lists ({@link ServiceConfig#load});
 * <li>validate every approved table's definition ({@link TableType#check}), without
 *     connecting anywhere;
 * <li>swap: the new generation is installed atomically (a request sees one generation);
 *     open tables that are no longer approved, whose definition changed
 *     ({@link TableType#fingerprint}) or that failed to open are retired: new requests open
 *     them afresh and the old instance closes when its requests in flight are done. The
 *     others keep their instances and pools. Client connections stay open.
 * </ol>
 * A refused reload changes nothing: the old generation keeps serving, and the reason (with
 * file and line) is logged and returned. Socket settings (queue_directory, service names,
 * backlog, mode, connection cap) take effect on restart only; a reload says so.
 */
public final class Reloader implements ReloadControl {
    private static final Logger log = LogManager.getLogger("proxymap");

    private final Path configDirectory;
    private final ProxymapServer server;
    private volatile ReloadResult last;
    private volatile java.util.function.Consumer<ReloadResult> onReload = r -> {};
    /** table name -> definition fingerprint, as of the generation in force */
    private Map<String, String> fingerprints;
    private final java.util.concurrent.atomic.AtomicLong succeeded = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

    public Reloader(Path configDirectory, ProxymapServer server) {
        this.configDirectory = configDirectory;
        this.server = server;
        this.fingerprints = fingerprints(server.state().config(), server.registry());
    }

    @Override
    public synchronized ReloadResult reload() {
        long start = System.nanoTime();
        ReloadResult result;
        try {
            ServiceConfig next = ServiceConfig.load(configDirectory);
            List<String> problems = validate(next, server.registry());
            if (!problems.isEmpty()) throw new ConfigException(String.join("; ", problems));
            next.warnings().forEach(log::warn);
            restartOnly(server.state().config(), next).forEach(log::warn);
            Map<String, String> nextPrints = fingerprints(next, server.registry());
            Map<String, String> before = fingerprints;
            server.install(next);
            server.registry().retire(h -> h.isSurrogate()
                    || !(h.writable() ? next.writeMaps : next.readMaps).allows(h.fullName())
                    || !Objects.equals(before.get(h.fullName()), nextPrints.get(h.fullName())));
            server.dispatcher().retainCached(next);
            fingerprints = nextPrints;
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
        onReload.accept(result);
        return result;
    }

    /** {@code listener} hears every reload's outcome (the daemon tells systemd the generation in force). */
    public void onReload(java.util.function.Consumer<ReloadResult> listener) {
        onReload = listener;
    }

    /** The last reload's outcome, or null before the first. */
    @Override
    public ReloadResult last() { return last; }

    /** Problems in the definitions of the tables {@code config} approves (types this build lacks are not one). */
    static List<String> validate(ServiceConfig config, TableRegistry registry) {
        List<String> problems = new ArrayList<>();
        forEachApproved(config, (fullName, writable) -> {
            TableName tn = TableName.parse(fullName);
            TableType type = registry.type(tn.type());
            if (type == null) return;
            try {
                problems.addAll(type.check(tn.name(), context(config, registry, writable)));
            } catch (RuntimeException e) {
                problems.add(fullName + ": " + e);
            }
        });
        return problems;
    }

    private static Map<String, String> fingerprints(ServiceConfig config, TableRegistry registry) {
        Map<String, String> m = new HashMap<>();
        forEachApproved(config, (fullName, writable) -> {
            TableName tn = TableName.parse(fullName);
            TableType type = registry.type(tn.type());
            String fp;
            try {
                fp = type == null ? "" : type.fingerprint(tn.name(), context(config, registry, writable));
            } catch (RuntimeException e) {
                fp = "error: " + e;
            }
            m.put(fullName, fp);
        });
        return m;
    }

    private static List<String> restartOnly(ServiceConfig old, ServiceConfig next) {
        List<String> l = new ArrayList<>();
        if (!old.socketPath(false).equals(next.socketPath(false)) || !old.socketPath(true).equals(next.socketPath(true))) {
            l.add("reload: queue_directory and the service names take effect on restart; still listening on "
                    + old.socketPath(false) + " and " + old.socketPath(true));
        }
        if (old.listenBacklog != next.listenBacklog || old.socketMode != next.socketMode
                || old.maxConnections != next.maxConnections) {
            l.add("reload: proxymap_listen_backlog, proxymap_socket_mode and proxymap_max_connections take effect on restart");
        }
        return l;
    }

    interface ApprovedTable { void accept(String fullName, boolean writable); }

    static void forEachApproved(ServiceConfig config, ApprovedTable action) {
        for (String t : config.readMaps.tables()) action.accept(t, false);
        for (String t : config.writeMaps.tables()) {
            if (!config.readMaps.allows(t)) action.accept(t, true);
        }
    }

    static OpenContext context(ServiceConfig config, TableRegistry registry, boolean writable) {
        return new OpenContext(writable, 0, config.parameters(), registry.resources(), registry::type);
    }

    /** Reloads that put a new configuration in force, since start. */
    @Override
    public long succeeded() { return succeeded.get(); }

    /** Reloads refused (the old configuration kept serving), since start. */
    @Override
    public long refused() { return refused.get(); }

    public Path configDirectory() { return configDirectory; }

    @Override
    public CheckReport check() { return ConfigChecker.check(configDirectory); }
}
