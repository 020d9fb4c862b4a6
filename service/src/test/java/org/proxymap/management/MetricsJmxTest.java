package org.proxymap.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.ctl.ProxymapCtl;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.WireClient;

/**
 * The per-table and per-pool MXBeans as a monitoring system reads them: over the real remote
 * connector, by plain attribute name, through the Prometheus JMX exporter with
 * etc/jmx-exporter.yaml, and {@code proxymapctl health} in each state a service can be put in here.
 */
class MetricsJmxTest {
    private JmxFixture f;

    @AfterEach
    void stop() {
        if (f != null) f.close();
    }

    private static final String MAPS = "proxy:texthash:${config_directory}/t";

    private void start(String extraMaps) throws Exception {
        f = JmxFixture.start("proxy_read_maps = " + MAPS + " " + extraMaps, Map.of("t", "alice@example.com a@b\n",
                "down.cf", "hosts = 127.0.0.1:" + JmxFixture.freePort() + "\nuser = pm\npassword = pw\ndbname = pm\n"
                        + "query = SELECT v FROM t WHERE k='%s'\n"));
    }

    private String lookup(String table, String key) throws Exception {
        try (WireClient w = WireClient.connect(f.ts.proxymap())) {
            AttrList r = w.call("request", "lookup", "table", table, "instance_flags", "0", "flags", "16384", "key", key);
            return r.value(r.indexOf("status"));
        }
    }

    private String t() { return "texthash:" + f.etc().resolve("t"); }

    private String down() { return "mysql:" + f.etc().resolve("down.cf"); }

    @Test
    void tableAndPoolBeansCarryPlainAttributesAndFollowOpenAndReload() throws Exception {
        start("proxy:mysql:${config_directory}/down.cf proxy:dbm:${config_directory}/nothing");
        try (JMXConnector c = f.monitor()) {
            MBeanServerConnection m = c.getMBeanServerConnection();
            assertEquals(Set.of(), m.queryNames(new ObjectName(ObjectNames.TABLE_PATTERN), null), "nothing opened yet");
            assertEquals("0", lookup(t(), "alice@example.com"));
            assertEquals("1", lookup(t(), "nobody@example.com"));
            assertEquals("2", lookup(down(), "k")); // connection refused: RETRY
            assertEquals("2", lookup("dbm:" + f.etc().resolve("nothing"), "k")); // unsupported: a surrogate

            ObjectName tn = new ObjectName("org.proxymap:type=Table,name=" + ObjectName.quote(t()));
            assertEquals(tn, new ObjectName(ObjectNames.table(t(), false, 0)));
            assertEquals(3, m.queryNames(new ObjectName(ObjectNames.TABLE_PATTERN), null).size());
            assertEquals(2L, m.getAttribute(tn, "Lookups"));
            assertEquals(1L, m.getAttribute(tn, "Hits"));
            assertEquals(1L, m.getAttribute(tn, "Misses"));
            assertEquals(true, m.getAttribute(tn, "Available"));
            assertEquals(2L, m.getAttribute(tn, "RecentOperations"));
            assertTrue((Double) m.getAttribute(tn, "RecentLatencyP99Micros") > 0);
            assertTrue((Double) m.getAttribute(tn, "LatencyP99Micros") > 0);
            assertFalse(Arrays.stream(m.getMBeanInfo(tn).getAttributes()).anyMatch(a -> a.getName().startsWith("Cache")),
                    "no cache counters for an uncached table");
            for (ObjectName n : m.queryNames(new ObjectName("org.proxymap:type=Table,*"), null)) {
                for (MBeanAttributeInfo a : m.getMBeanInfo(n).getAttributes()) {
                    assertTrue(Set.of("long", "int", "double", "boolean", "java.lang.String").contains(a.getType()),
                            n + " " + a.getName() + ": " + a.getType());
                }
            }
            ObjectName surrogate = new ObjectName(ObjectNames.table("dbm:" + f.etc().resolve("nothing"), false, 0));
            assertEquals(false, m.getAttribute(surrogate, "Available"));
            assertEquals(1L, m.getAttribute(surrogate, "Retries"));
            ObjectName mysql = new ObjectName(ObjectNames.table(down(), false, 0));
            assertEquals(1L, m.getAttribute(mysql, "Retries"));

            Set<ObjectName> pools = m.queryNames(new ObjectName(ObjectNames.POOL_PATTERN), null);
            assertEquals(1, pools.size(), pools.toString());
            ObjectName pool = pools.iterator().next();
            assertTrue(pool.getKeyProperty("name").startsWith("\"mysql:pm@127.0.0.1:"), pool.toString());
            assertEquals(1, m.getAttribute(pool, "Hosts"));
            assertEquals(1, m.getAttribute(pool, "HostsDown"));
            assertEquals(0, m.getAttribute(pool, "Active"));
            assertTrue((Long) m.getAttribute(pool, "ConnectFailures") >= 1);

            // a reload that drops the mysql table takes its bean and its pool's; one that caches t gives it cache counters
            Files.writeString(f.etc().resolve("proxymap.cf"), "\nproxymap_cache_maps = " + t() + "\n", java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(f.etc().resolve("main.cf"), "\nproxy_read_maps = " + MAPS + "\n", java.nio.file.StandardOpenOption.APPEND);
            assertTrue(f.ts.reloader.reload().ok());
            assertFalse(m.isRegistered(mysql));
            assertEquals(Set.of(), m.queryNames(new ObjectName(ObjectNames.POOL_PATTERN), null));
            long end = System.nanoTime() + 5_000_000_000L; // the cache shows within the metrics tick (1 s)
            while (!Arrays.stream(m.getMBeanInfo(tn).getAttributes()).anyMatch(a -> a.getName().equals("CacheHits"))) {
                assertTrue(System.nanoTime() < end, "no cache counters on " + tn);
                Thread.sleep(100);
            }
            assertEquals("0", lookup(t(), "alice@example.com"));
            assertEquals("0", lookup(t(), "alice@example.com"));
            assertEquals(1L, m.getAttribute(tn, "CacheHits"));
            assertEquals(1L, m.getAttribute(tn, "CacheEntries"));
            assertEquals(4L, m.getAttribute(tn, "Lookups"), "the instance stays: its counters go on");
        }
        f.close();
        try (var mbeans = new AutoCloseableQuery(f)) {
            assertEquals(0, mbeans.count(), "every table bean goes with the service");
        }
        f = null;
    }

    /** What a closed fixture left in its MBean server. */
    private record AutoCloseableQuery(JmxFixture f) implements AutoCloseable {
        int count() throws Exception {
            return f.mbeans.queryNames(new ObjectName("org.proxymap:*"), null).size();
        }

        @Override
        public void close() { }
    }

    /** The Prometheus JMX exporter (standalone), with the rules file as shipped, reading the service over JMX. */
    @Test
    void prometheusExporterWithTheShippedRules() throws Exception {
        start("proxy:mysql:${config_directory}/down.cf");
        assertEquals("0", lookup(t(), "alice@example.com"));
        assertEquals("2", lookup(down(), "k"));
        Path jar = Path.of("target/jmx-exporter/jmx_prometheus_httpserver.jar");
        assertTrue(Files.isRegularFile(jar), jar + " missing (mvn copies it in generate-test-resources)");
        Path rules = Path.of(System.getProperty("proxymap.project.dir", "..")).resolve("etc/jmx-exporter.yaml");
        Path config = f.etc().resolve("jmx-exporter.yaml");
        Files.writeString(config, Files.readString(rules).replace("hostPort: 127.0.0.1:9875", "hostPort: 127.0.0.1:" + f.port)
                .replace("password: CHANGE-ME", "password: " + JmxFixture.MONITOR_PASSWORD));
        int http = JmxFixture.freePort();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toAbsolutePath().toString(), "127.0.0.1:" + http, config.toString())
                .redirectErrorStream(true).redirectOutput(f.etc().resolve("exporter.log").toFile()).start();
        try {
            String metrics = scrape(http, p);
            Map<String, String> lines = Arrays.stream(metrics.split("\n")).filter(l -> !l.startsWith("#"))
                    .collect(Collectors.toMap(l -> l.substring(0, l.lastIndexOf(' ')), l -> l.substring(l.lastIndexOf(' ') + 1), (a, b) -> a));
            String tl = "table=\"" + t() + "\"";
            assertEquals("1.0", value(lines, "proxymap_table_lookups_total{", tl), metrics);
            assertEquals("1.0", value(lines, "proxymap_table_hits_total{", tl), metrics);
            assertEquals("1.0", value(lines, "proxymap_table_available{", tl), metrics);
            assertTrue(Double.parseDouble(value(lines, "proxymap_table_recent_latency_p99_micros{", tl)) > 0, metrics);
            assertEquals("1.0", value(lines, "proxymap_table_retries_total{", "table=\"" + down() + "\""), metrics);
            assertTrue(lines.keySet().stream().anyMatch(k -> k.startsWith("proxymap_table_lookups_total{") && k.contains("mode=\"ro\"")
                    && k.contains("flags=\"0\"")), metrics);
            assertEquals("1.0", value(lines, "proxymap_pool_hosts_down{", "pool=\"mysql:pm@127.0.0.1:"), metrics);
            assertEquals("1.0", value(lines, "proxymap_pool_hosts{", "pool=\"mysql:pm@127.0.0.1:"), metrics);
            assertEquals("1.0", value(lines, "proxymap_reload_last_reload_ok", ""), metrics);
            assertEquals("2.0", value(lines, "proxymap_service_connections_accepted_total", ""), metrics);
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String value(Map<String, String> lines, String prefix, String part) {
        return lines.entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && e.getKey().contains(part))
                .map(Map.Entry::getValue).findFirst().orElse("(no " + prefix + "..." + part + ")");
    }

    private String scrape(int port, Process p) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long end = System.nanoTime() + 60_000_000_000L;
        String last = "";
        while (true) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("proxymap_table_")) return r.body();
                last = r.body();
            } catch (java.io.IOException notYet) {
                // the exporter is starting
            }
            if (!p.isAlive() || System.nanoTime() > end) {
                throw new AssertionError("no proxymap metrics from the exporter: " + Files.readString(f.etc().resolve("exporter.log"))
                        + "\nlast scrape:\n" + last);
            }
            Thread.sleep(200);
        }
    }

    private record Run(int status, String out) {}

    private Run health() throws Exception {
        Path pw = f.etc().resolve("monitor.pw");
        if (!Files.exists(pw)) JmxFixture.writeSecret(pw, JmxFixture.MONITOR_PASSWORD + "\n");
        var out = new ByteArrayOutputStream();
        int status = ProxymapCtl.run(new String[] {"--jmx", "127.0.0.1:" + f.port, "--user", "monitor", "--password-file",
                pw.toString(), "health"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        return new Run(status, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void healthOkThenCriticalForARefusedReloadAPoolWithEveryHostDownAndAnUnavailableTable() throws Exception {
        start("");
        assertEquals("0", lookup(t(), "alice@example.com"));
        Run ok = health();
        assertEquals(0, ok.status(), ok.out());
        assertTrue(ok.out().matches("PROXYMAP OK - serving \\| tables=1 tables_unavailable=0;;1 pools=0 hosts_down=0;1 "
                + "connections=\\d+ stalls=\\d+c requests=\\d+c\n"), ok.out());

        Path mainCf = f.etc().resolve("main.cf");
        String good = Files.readString(mainCf);
        Files.writeString(mainCf, good + "\nthis line has no equals sign\n");
        assertFalse(f.ts.reloader.reload().ok());
        Run refused = health();
        assertEquals(2, refused.status(), refused.out());
        assertTrue(refused.out().startsWith("PROXYMAP CRITICAL - last reload refused: ") && refused.out().contains("main.cf"), refused.out());

        Files.writeString(mainCf, good + "\nproxy_read_maps = " + MAPS + " proxy:mysql:${config_directory}/down.cf\n");
        assertTrue(f.ts.reloader.reload().ok());
        assertEquals(0, health().status());
        assertEquals("2", lookup(down(), "k"));
        Run poolDown = health();
        assertEquals(2, poolDown.status(), poolDown.out());
        assertTrue(poolDown.out().startsWith("PROXYMAP CRITICAL - pool pm@127.0.0.1:") && poolDown.out().contains(": every host down (1) |")
                && poolDown.out().contains(" pools=1 hosts_down=1;1 "), poolDown.out());

        Files.writeString(mainCf, good + "\nproxy_read_maps = " + MAPS + " proxy:dbm:${config_directory}/nothing\n");
        assertTrue(f.ts.reloader.reload().ok());
        assertEquals(0, health().status(), "the mysql table and its pool are gone");
        assertEquals("2", lookup("dbm:" + f.etc().resolve("nothing"), "k"));
        Run surrogate = health();
        assertEquals(2, surrogate.status(), surrogate.out());
        assertTrue(surrogate.out().startsWith("PROXYMAP CRITICAL - 1 table unavailable (lookups answer RETRY): dbm:"), surrogate.out());

        Path pw = f.etc().resolve("monitor.pw");
        var out = new ByteArrayOutputStream();
        int unknown = ProxymapCtl.run(new String[] {"--jmx", "127.0.0.1:" + JmxFixture.freePort(), "--password-file", pw.toString(),
                "health"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(3, unknown);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("PROXYMAP UNKNOWN - cannot connect to 127.0.0.1:"), out.toString());
        List.of(); // keep imports tidy
    }
}
