package org.proxymap.management;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.JMXServiceURL;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.config.Setting;
import org.proxymap.jmx.CachedTableMXBean;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.PoolMXBean;
import org.proxymap.jmx.PoolsMXBean;
import org.proxymap.jmx.ReloadMXBean;
import org.proxymap.jmx.ServiceMXBean;
import org.proxymap.jmx.TableMXBean;
import org.proxymap.jmx.TablesMXBean;
import org.proxymap.server.ProxymapServer;
import org.proxymap.table.PooledResource;
import org.proxymap.table.TableHandle;

/**
 * The service's MXBeans ({@link ObjectNames}) and, when proxymap_jmx_port is set, the
 * remote connector. Lifecycle follows the daemon: {@link #create} in init (reads the
 * password and access files), {@link #start} in start, {@link #close} in destroy.
 *
 * <p>Besides the fixed beans, one {@link TableMXBean} per open table instance and one
 * {@link PoolMXBean} per connection pool, kept in step with the registry by {@link #sync}: on
 * every open and retirement, and once a second (a reload may add or drop a table's cache).
 */
public final class Management implements AutoCloseable {
    private static final Logger log = LogManager.getLogger("proxymap");

    /** Which instance registered each name, so that closing an older one leaves a newer one's beans alone. */
    private record Registration(MBeanServer server, ObjectName name) {}
    private static final java.util.concurrent.ConcurrentHashMap<Registration, Management> owners =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final MBeanServer mbeans;
    private final List<ObjectName> registered = new ArrayList<>();
    private final JmxConnector connector;
    private final ProxymapServer server;
    /** table instance -> its bean's name, and whether it was registered as cached */
    private final Map<TableHandle, TableName> tables = new java.util.IdentityHashMap<>();
    private final Map<PooledResource, ObjectName> pools = new java.util.IdentityHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService ticker =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("metrics").factory());
    private boolean closed;

    private record TableName(ObjectName name, boolean cached) {}

    private Management(MBeanServer mbeans, JmxConnector connector, ProxymapServer server) {
        this.mbeans = mbeans;
        this.connector = connector;
        this.server = server;
    }

    /**
     * Registers the MXBeans in {@code mbeans} and prepares the connector (if configured).
     *
     * @throws ConfigException a JMX setting or the password or access file is wrong
     */
    public static Management create(ServiceConfig config, ProxymapServer server, ReloadControl reloader, String version,
                                    MBeanServer mbeans) throws ConfigException {
        JmxSettings settings = JmxSettings.from(config);
        JmxConnector connector = settings.enabled() ? JmxConnector.create(settings, mbeans) : null;
        Management m = new Management(mbeans, connector, server);
        try {
            int info = MBeanOperationInfo.INFO;
            m.register(ObjectNames.SERVICE, new Described<>(new ServiceBean(server, version), ServiceMXBean.class,
                    "proxymap process and protocol counters, since start", Map.of(), Map.of()));
            m.register(ObjectNames.TABLES, new Described<>(new TablesBean(server), TablesMXBean.class,
                    "Every open table with its counters; lookup() asks a table as a proxymap client would",
                    Map.of("table", new String[] {"name"}, "lookup", new String[] {"table", "key"}),
                    Map.of("table", info, "lookup", info)));
            m.register(ObjectNames.RELOAD, new Described<>(new ReloadBean(server, reloader), ReloadMXBean.class,
                    "Configuration reload (parse, validate, swap; refused when broken) and check",
                    Map.of(), Map.of("reload", MBeanOperationInfo.ACTION, "check", info)));
            m.register(ObjectNames.POOLS, new Described<>(new PoolsBean(server.registry().resources()), PoolsMXBean.class,
                    "Database connection pools, one per target", Map.of(), Map.of()));
            server.registry().onChange(m::sync);
            m.sync();
            m.ticker.scheduleWithFixedDelay(m::tick, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (JMException e) {
            m.close();
            throw new ConfigException("cannot register the MXBeans: " + e
                    + " (is another proxymap running in this JVM?)");
        }
        return m;
    }

    /**
     * Registers a bean for every table instance and pool that has none, and removes those of
     * instances retired and pools closed (removals first, so a re-opened table takes its
     * predecessor's name).
     */
    public synchronized void sync() {
        if (closed) return;
        var live = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<TableHandle, Boolean>());
        live.addAll(server.registry().handles());
        var livePools = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<PooledResource, Boolean>());
        for (AutoCloseable r : server.registry().resources().snapshot().values()) {
            if (r instanceof PooledResource p) livePools.add(p);
        }
        tables.entrySet().removeIf(e -> {
            boolean gone = !live.contains(e.getKey()) || e.getValue().cached() != server.dispatcher().cached(e.getKey());
            if (gone) unregister(e.getValue().name());
            return gone;
        });
        pools.entrySet().removeIf(e -> {
            boolean gone = !livePools.contains(e.getKey());
            if (gone) unregister(e.getValue());
            return gone;
        });
        for (TableHandle h : live) {
            if (tables.containsKey(h)) continue;
            boolean cached = server.dispatcher().cached(h);
            TableBean bean = new TableBean(h, server.dispatcher());
            String what = h.fullName() + (h.writable() ? " (proxywrite)" : "");
            try {
                ObjectName n = register(ObjectNames.table(h.fullName(), h.writable(), h.instanceFlags()), cached
                        ? new Described<>(bean, CachedTableMXBean.class, "Table " + what + " with its lookup cache", Map.of(), Map.of())
                        : new Described<>(bean, TableMXBean.class, "Table " + what, Map.of(), Map.of()));
                tables.put(h, new TableName(n, cached));
            } catch (JMException | RuntimeException e) {
                log.warn("cannot register the MXBean of table {}: {}", what, e.toString());
            }
        }
        for (PooledResource p : livePools) {
            if (pools.containsKey(p)) continue;
            String name = p.poolStats().name();
            // pools that differ only in settings or password share user@hosts/dbname
            for (int i = 2; pools.containsValue(poolName(name)); i++) name = p.poolStats().name() + " #" + i;
            try {
                pools.put(p, register(ObjectNames.pool(name), new Described<>(new PoolBean(p), PoolMXBean.class,
                        "Connection pool " + name, Map.of(), Map.of())));
            } catch (JMException | RuntimeException e) {
                log.warn("cannot register the MXBean of pool {}: {}", name, e.toString());
            }
        }
    }

    private static ObjectName poolName(String name) {
        try {
            return new ObjectName(ObjectNames.pool(name));
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Once a second: the tables' latency windows move on, and beans follow cache changes of a reload. */
    private void tick() {
        try {
            sync();
            List<TableHandle> open;
            synchronized (this) {
                open = new ArrayList<>(tables.keySet());
            }
            open.forEach(h -> h.counters().recentLatency().tick());
        } catch (RuntimeException e) {
            log.warn("metrics: {}", e.toString()); // keep ticking
        }
    }

    private void unregister(ObjectName n) {
        registered.remove(n);
        if (!owners.remove(new Registration(mbeans, n), this)) return; // replaced by a newer instance
        try {
            mbeans.unregisterMBean(n);
        } catch (JMException e) {
            // already gone
        }
    }

    private ObjectName register(String name, Object bean) throws JMException {
        ObjectName n = new ObjectName(name);
        if (mbeans.isRegistered(n)) {
            // left by an earlier daemon instance in this JVM (tests): the newest one reports
            log.warn("replacing the MXBean {} of an earlier proxymap instance in this JVM", n);
            mbeans.unregisterMBean(n);
        }
        mbeans.registerMBean(bean, n);
        owners.put(new Registration(mbeans, n), this);
        registered.add(n);
        return n;
    }

    /**
     * Starts the remote connector, if configured.
     *
     * @throws IOException the port cannot be bound (or the registry cannot be made read-only):
     *         the start fails, so that no other local process can squat the port and collect
     *         the passwords of the operators who connect to it
     */
    public void start() throws IOException {
        if (connector == null) {
            log.info("remote JMX is off; to turn it on, set {} (and {}, {}) in proxymap.cf; see README.md, Management",
                    Setting.JMX_PORT.key(), Setting.JMX_PASSWORD_FILE.key(), Setting.JMX_ACCESS_FILE.key());
            return;
        }
        try {
            connector.start();
        } catch (IOException | RuntimeException e) {
            throw new IOException("remote JMX cannot start on " + e.getMessage() + "; free the port or change "
                    + Setting.JMX_PORT.key() + " in proxymap.cf (0 turns remote JMX off)", e);
        }
    }

    /** The connector's address, or null when remote JMX is off or did not start. */
    public JMXServiceURL address() { return connector == null ? null : connector.address(); }

    @Override
    public synchronized void close() {
        closed = true;
        ticker.shutdownNow();
        if (connector != null) connector.stop();
        for (ObjectName n : List.copyOf(registered)) unregister(n);
        tables.clear();
        pools.clear();
    }
}
