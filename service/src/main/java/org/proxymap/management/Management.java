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
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.PoolsMXBean;
import org.proxymap.jmx.ReloadMXBean;
import org.proxymap.jmx.ServiceMXBean;
import org.proxymap.jmx.TablesMXBean;
import org.proxymap.server.ProxymapServer;

/**
 * The service's MXBeans ({@link ObjectNames}) and, when proxymap_jmx_port is set, the
 * remote connector. Lifecycle follows the daemon: {@link #create} in init (reads the
 * password and access files), {@link #start} in start, {@link #close} in destroy.
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

    private Management(MBeanServer mbeans, JmxConnector connector) {
        this.mbeans = mbeans;
        this.connector = connector;
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
        Management m = new Management(mbeans, connector);
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
        } catch (JMException e) {
            m.close();
            throw new ConfigException("cannot register the MXBeans: " + e
                    + " (is another proxymap running in this JVM?)");
        }
        return m;
    }

    private void register(String name, Object bean) throws JMException {
        ObjectName n = new ObjectName(name);
        if (mbeans.isRegistered(n)) {
            // left by an earlier daemon instance in this JVM (tests): the newest one reports
            log.warn("replacing the MXBean {} of an earlier proxymap instance in this JVM", n);
            mbeans.unregisterMBean(n);
        }
        mbeans.registerMBean(bean, n);
        owners.put(new Registration(mbeans, n), this);
        registered.add(n);
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
    public void close() {
        if (connector != null) connector.stop();
        for (ObjectName n : registered) {
            if (!owners.remove(new Registration(mbeans, n), this)) continue; // replaced by a newer instance
            try {
                mbeans.unregisterMBean(n);
            } catch (JMException e) {
                // already gone
            }
        }
        registered.clear();
    }
}
