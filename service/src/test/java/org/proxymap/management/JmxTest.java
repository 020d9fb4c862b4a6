package org.proxymap.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.proxymap.jmx.CheckReport;
import org.proxymap.jmx.LookupResult;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.PoolInfo;
import org.proxymap.jmx.PoolsMXBean;
import org.proxymap.jmx.ReloadMXBean;
import org.proxymap.jmx.ReloadResult;
import org.proxymap.jmx.ServiceMXBean;
import org.proxymap.jmx.TableInfo;
import org.proxymap.jmx.TablesMXBean;
import org.proxymap.protocol.AttrList;
import org.proxymap.table.PoolStats;
import org.proxymap.table.PooledResource;
import org.proxymap.testing.WireClient;

/** The MXBeans over a real remote JMX connection, against a real server and real socket traffic. */
class JmxTest {
    private JmxFixture f;
    private String table;

    @BeforeEach
    void start() throws Exception {
        f = JmxFixture.start("proxy_read_maps = proxy:texthash:${config_directory}/t",
                Map.of("t", "alice@example.com a@b\nbob@example.com b@c\n"));
        table = "texthash:" + f.etc().resolve("t");
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void wrongPasswordUnknownUserAndNoCredentialsAreRefused() {
        assertThrows(SecurityException.class, () -> f.connect("admin", "wrong"));
        assertThrows(SecurityException.class, () -> f.connect("nobody", JmxFixture.ADMIN_PASSWORD));
        assertThrows(SecurityException.class, () -> f.connect("admin", null));
    }

    @Test
    void monitorReadsButCannotReloadOrLookUp() throws Exception {
        try (JMXConnector c = f.monitor()) {
            ReloadMXBean reload = JmxFixture.proxy(c, ObjectNames.RELOAD, ReloadMXBean.class);
            TablesMXBean tables = JmxFixture.proxy(c, ObjectNames.TABLES, TablesMXBean.class);
            assertEquals(1, reload.getGeneration());
            assertEquals(List.of(), tables.getTables());
            assertEquals(List.of(), tables.table(table)); // inspection operations are allowed
            assertTrue(reload.check().ok());
            SecurityException e = assertThrows(SecurityException.class, reload::reload);
            assertTrue(e.getMessage().contains("readwrite"), e.getMessage());
            assertThrows(SecurityException.class, () -> tables.lookup(table, "alice@example.com"));
            assertEquals(1, reload.getGeneration());
            assertEquals(0, reload.getReloadsSucceeded());
        }
    }

    @Test
    void nobodyCreatesMBeansRemotely() throws Exception {
        try (JMXConnector c = f.admin()) {
            MBeanServerConnection mbsc = c.getMBeanServerConnection();
            assertThrows(SecurityException.class, () -> mbsc.createMBean("javax.management.loading.MLet",
                    new ObjectName("x:type=MLet")));
            assertThrows(SecurityException.class, () -> mbsc.unregisterMBean(new ObjectName(ObjectNames.TABLES)));
            assertTrue(mbsc.isRegistered(new ObjectName(ObjectNames.TABLES)));
        }
    }

    @Test
    void countersMoveWithSocketTraffic() throws Exception {
        try (WireClient w = WireClient.connect(f.ts.proxymap())) {
            assertEquals("0", status(w.call("request", "lookup", "table", table, "flags", "16384", "key", "alice@example.com")));
            assertEquals("1", status(w.call("request", "lookup", "table", table, "flags", "16384", "key", "carol@example.com")));
            assertEquals("0", status(w.call("request", "lookup", "table", "proxy:" + table, "instance_flags", "0",
                    "flags", "16384", "key", "bob@example.com")));
            assertEquals("4", status(w.call("request", "lookup", "table", "texthash:/etc/passwd", "flags", "0", "key", "root")));
            assertEquals("3", status(w.call("request", "frobnicate")));
        }
        try (JMXConnector c = f.monitor()) {
            ServiceMXBean s = JmxFixture.proxy(c, ObjectNames.SERVICE, ServiceMXBean.class);
            assertEquals(4, s.getRequests().get("lookup"));
            assertEquals(1, s.getRequests().get("other"));
            assertEquals(2, s.getReplies().get("OK"));
            assertEquals(1, s.getReplies().get("NOKEY"));
            assertEquals(1, s.getReplies().get("DENY"));
            assertEquals(1, s.getReplies().get("BAD"));
            assertEquals(1, s.getDenied());
            assertEquals(1, s.getMalformed());
            assertEquals(3, s.getRequestsByDialect().get("A/B"));
            assertEquals(1, s.getRequestsByDialect().get("C"));
            assertEquals(1, s.getConnectionsAccepted());
            assertEquals(1, s.getConnectionsPeak());
            assertEquals(ProcessHandle.current().pid(), s.getPid());
            assertEquals(f.etc().toRealPath().toString(), s.getConfigDirectory());

            TablesMXBean tables = JmxFixture.proxy(c, ObjectNames.TABLES, TablesMXBean.class);
            List<TableInfo> open = tables.getTables();
            assertEquals(1, open.size(), open.toString());
            TableInfo t = open.get(0);
            assertEquals(table, t.name());
            assertEquals("texthash", t.type());
            assertFalse(t.writable());
            assertTrue(t.available());
            assertEquals(3, t.lookups());
            assertEquals(2, t.hits());
            assertEquals(1, t.misses());
            assertEquals(0, t.errors());
            assertEquals("", t.lastError());
            assertTrue(t.latencyMaxMicros() > 0, t.toString());
            assertTrue(t.latencyP50Micros() <= t.latencyP99Micros() && t.latencyP99Micros() <= t.latencyMaxMicros(), t.toString());
            assertEquals(Map.of("texthash:/etc/passwd", 1L), tables.getDenials());
            assertEquals(open, tables.table("proxy:" + table));
        }
    }

    @Test
    void operatorLookupGoesThroughTheAllowList() throws Exception {
        try (WireClient w = WireClient.connect(f.ts.proxymap())) {
            w.call("request", "lookup", "table", table, "flags", "16384", "key", "alice@example.com");
        }
        try (JMXConnector c = f.admin()) {
            TablesMXBean tables = JmxFixture.proxy(c, ObjectNames.TABLES, TablesMXBean.class);
            ServiceMXBean s = JmxFixture.proxy(c, ObjectNames.SERVICE, ServiceMXBean.class);
            assertEquals(new LookupResult(table, "ALICE@example.com", "OK", "a@b"), tables.lookup(table, "ALICE@example.com"));
            assertEquals("NOKEY", tables.lookup("proxy:" + table, "carol@example.com").status());
            LookupResult denied = tables.lookup("texthash:/etc/passwd", "root");
            assertEquals("DENY", denied.status());
            assertEquals("", denied.value());
            assertEquals("BAD", tables.lookup("no-colon", "x").status());
            assertEquals(1, s.getDenied());
            List<TableInfo> open = tables.getTables();
            assertEquals(1, open.size(), "the operator's lookups share the client's instance: " + open);
            assertEquals(3, open.get(0).lookups());
        }
    }

    @Test
    void reloadChangesTheGenerationAndABrokenConfigLeavesItUnchanged() throws Exception {
        try (JMXConnector c = f.admin()) {
            ReloadMXBean reload = JmxFixture.proxy(c, ObjectNames.RELOAD, ReloadMXBean.class);
            ServiceMXBean s = JmxFixture.proxy(c, ObjectNames.SERVICE, ServiceMXBean.class);
            assertEquals(null, reload.getLastReload());
            assertTrue(reload.isLastReloadOk());

            ReloadResult ok = reload.reload();
            assertTrue(ok.ok(), ok.toString());
            assertEquals(2, ok.generation());
            assertEquals(2, reload.getGeneration());
            assertEquals(2, s.getConfigGeneration());
            assertEquals(ok, reload.getLastReload());

            Files.writeString(f.etc().resolve("main.cf"), "\nthis line has no equals sign\n",
                    java.nio.file.StandardOpenOption.APPEND);
            CheckReport check = reload.check();
            assertFalse(check.ok());
            assertTrue(check.problems().toString().contains("main.cf"), check.toString());
            ReloadResult refused = reload.reload();
            assertFalse(refused.ok());
            assertTrue(refused.message().contains("main.cf"), refused.message());
            assertEquals(2, refused.generation());
            assertEquals(2, reload.getGeneration());
            assertFalse(reload.isLastReloadOk());
            assertEquals(refused.message(), reload.getLastReloadMessage());
            assertEquals(1, reload.getReloadsSucceeded());
            assertEquals(1, reload.getReloadsRefused());
        }
    }

    /** A stand-in pool as the mysql tables register one, to see PoolInfo cross the wire. */
    private record FakePool(PoolInfo info) implements PooledResource {
        @Override public PoolStats poolStats() {
            return new PoolStats("mysql:" + info.target(), info.target(), info.hostInUse(), info.active(), info.idle(),
                    info.waiters(), info.maxTotal(), info.created(), info.destroyed(), info.connectFailures(), info.hosts(),
                    info.hostsDown());
        }
        @Override public void close() { }
    }

    @Test
    void everyAttributeRoundTripsThroughMXBeanProxies() throws Exception {
        PoolInfo pool = new PoolInfo("pm@127.0.0.1:3307/pm", "127.0.0.1", 1, 2, 0, 8, 3, 0, 1, 1, 0);
        f.ts.server.registry().resources().acquire("mysql:pool", () -> new FakePool(pool));
        try (WireClient w = WireClient.connect(f.ts.proxymap())) {
            w.call("request", "lookup", "table", table, "flags", "16384", "key", "alice@example.com");
            w.call("request", "lookup", "table", "static:nope", "flags", "0", "key", "x"); // denied: counts, opens nothing
        }
        f.ts.reloader.reload();
        var local = Map.<Class<?>, Object>of(
                ServiceMXBean.class, new ServiceBean(f.ts.server, "test"),
                TablesMXBean.class, new TablesBean(f.ts.server),
                ReloadMXBean.class, new ReloadBean(f.ts.server, f.ts.reloader),
                PoolsMXBean.class, new PoolsBean(f.ts.server.registry().resources()));
        var names = Map.of(ServiceMXBean.class, ObjectNames.SERVICE, TablesMXBean.class, ObjectNames.TABLES,
                ReloadMXBean.class, ObjectNames.RELOAD, PoolsMXBean.class, ObjectNames.POOLS);
        Set<String> varying = Set.of("UptimeMillis", "Threads", "HeapUsedBytes");
        try (JMXConnector c = f.monitor()) {
            MBeanServerConnection mbsc = c.getMBeanServerConnection();
            for (var e : names.entrySet()) {
                Class<?> type = e.getKey();
                Object remote = JmxFixture.proxy(c, e.getValue(), type);
                Set<String> getters = new TreeSet<>();
                for (Method m : type.getMethods()) {
                    String attribute = attribute(m);
                    if (attribute == null) continue;
                    getters.add(attribute);
                    Object viaJmx = m.invoke(remote);
                    assertNotNull(viaJmx, type.getSimpleName() + "." + attribute);
                    if (!varying.contains(attribute)) {
                        assertEquals(m.invoke(local.get(type)), viaJmx, type.getSimpleName() + "." + attribute);
                    }
                    // the raw value is an open type, readable without our classes (JConsole)
                    Object raw = mbsc.getAttribute(new ObjectName(e.getValue()), attribute);
                    assertTrue(raw == null || raw.getClass().getName().startsWith("java.")
                            || raw instanceof CompositeData || raw instanceof javax.management.openmbean.TabularData
                            || raw instanceof CompositeData[], attribute + ": " + raw.getClass());
                }
                Set<String> published = Arrays.stream(mbsc.getMBeanInfo(new ObjectName(e.getValue())).getAttributes())
                        .map(MBeanAttributeInfo::getName).collect(Collectors.toCollection(TreeSet::new));
                assertEquals(getters, published, type.getSimpleName());
            }
            assertEquals(List.of(pool), JmxFixture.proxy(c, ObjectNames.POOLS, PoolsMXBean.class).getPools());
            var lookup = Arrays.stream(mbsc.getMBeanInfo(new ObjectName(ObjectNames.TABLES)).getOperations())
                    .filter(o -> o.getName().equals("lookup")).findFirst().orElseThrow();
            assertEquals(List.of("table", "key"), Arrays.stream(lookup.getSignature()).map(p -> p.getName()).toList());
            assertEquals("true", mbsc.getMBeanInfo(new ObjectName(ObjectNames.TABLES)).getDescriptor().getFieldValue("mxbean"));
            assertEquals(1, JmxFixture.proxy(c, ObjectNames.TABLES, TablesMXBean.class).getTables().size());
        }
    }

    private static String attribute(Method m) {
        if (m.getParameterCount() != 0) return null;
        if (m.getName().startsWith("get")) return m.getName().substring(3);
        if (m.getName().startsWith("is")) return m.getName().substring(2);
        return null;
    }

    private static String status(AttrList reply) {
        return reply.value(reply.indexOf("status"));
    }
}
