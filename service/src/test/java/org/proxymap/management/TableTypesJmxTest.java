package org.proxymap.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.TableInfo;
import org.proxymap.jmx.TablesMXBean;
import org.proxymap.testing.Memcached;
import org.proxymap.testing.Require;
import org.proxymap.testing.SocketTableServer;
import org.proxymap.testing.WireClient;

/**
 * The table types of issue 16 (sqlite, memcache, socketmap, tcp, unionmap, pipemap, randmap),
 * opened by a client through the proxymap socket, each appear as a row of JMX {@code Tables}
 * (over a real remote connector) with its name, type, availability and counters.
 */
class TableTypesJmxTest {
    private JmxFixture f;
    private Memcached mc;
    private SocketTableServer socketmap;
    private SocketTableServer tcp;
    /** table name (as the client names it, without proxy:) -> type shown in the row */
    private final Map<String, String> tables = new LinkedHashMap<>();

    @BeforeEach
    void start() throws Exception {
        mc = Memcached.start();
        mc.set("alice@example.com", "from-memcache");
        socketmap = SocketTableServer.inet(null);
        socketmap.handler(socketmap.socketmap(request -> "OK from-socketmap"));
        tcp = SocketTableServer.inet(null);
        tcp.handler(tcp.tcp(request -> "200 from-tcp"));
        Path db = Files.createTempFile(Path.of("/tmp"), "jmxtypes", ".sqlite");
        Process p = new ProcessBuilder(Require.executable("/usr/bin/sqlite3").toString(), "-bail", db.toString(),
                "CREATE TABLE alias (address TEXT, goto TEXT); INSERT INTO alias VALUES ('alice@example.com', 'from-sqlite');")
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        f = JmxFixture.start("proxy_read_maps = proxy:sqlite:${config_directory}/sqlite.cf proxy:memcache:${config_directory}/mc.cf"
                + " proxy:socketmap:" + socketmap.service() + ":users proxy:tcp:127.0.0.1:" + tcp.port()
                + " proxy:unionmap:{inline:{alice@example.com=u1},inline:{alice@example.com=u2}}"
                + " proxy:pipemap:{inline:{alice@example.com=step},inline:{step=piped}} proxy:randmap:{r1,r2}",
                Map.of("sqlite.cf", "dbpath = " + db + "\nquery = SELECT goto FROM alias WHERE address = '%s'\n",
                        "mc.cf", "memcache = " + mc.endpoint() + "\n"));
        db.toFile().deleteOnExit();
        tables.put("sqlite:" + f.etc().resolve("sqlite.cf"), "sqlite");
        tables.put("memcache:" + f.etc().resolve("mc.cf"), "memcache");
        tables.put("socketmap:" + socketmap.service() + ":users", "socketmap");
        tables.put("tcp:127.0.0.1:" + tcp.port(), "tcp");
        tables.put("unionmap:{inline:{alice@example.com=u1},inline:{alice@example.com=u2}}", "unionmap");
        tables.put("pipemap:{inline:{alice@example.com=step},inline:{step=piped}}", "pipemap");
        tables.put("randmap:{r1,r2}", "randmap");
    }

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
        if (tcp != null) tcp.close();
        if (socketmap != null) socketmap.close();
        if (mc != null) mc.close();
    }

    @Test
    void everyTypeIsARowOfTables() throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        try (WireClient w = WireClient.connect(f.ts.proxymap())) {
            for (String table : tables.keySet()) {
                String reply = WireClient.escaped(w.call("request", "lookup", "table", table, "flags", "16384", "key", "alice@example.com"));
                assertTrue(reply.startsWith("status\\00\\0value\\0"), table + ": " + reply);
                values.put(table, reply.substring("status\\00\\0value\\0".length(), reply.length() - "\\0\\0".length()));
            }
        }
        assertEquals("from-sqlite", values.get("sqlite:" + f.etc().resolve("sqlite.cf")));
        assertTrue(values.get("unionmap:{inline:{alice@example.com=u1},inline:{alice@example.com=u2}}").matches("u1, ?u2"), values.toString());
        assertEquals("piped", values.get("pipemap:{inline:{alice@example.com=step},inline:{step=piped}}"));
        try (JMXConnector c = f.monitor()) {
            List<TableInfo> rows = JmxFixture.proxy(c, ObjectNames.TABLES, TablesMXBean.class).getTables();
            Map<String, TableInfo> byName = rows.stream().collect(Collectors.toMap(TableInfo::name, t -> t));
            assertEquals(tables.keySet(), byName.keySet(), rows.toString());
            for (var e : tables.entrySet()) {
                TableInfo t = byName.get(e.getKey());
                assertEquals(e.getValue(), t.type(), t.toString());
                assertTrue(t.available(), t.toString());
                assertEquals(false, t.writable(), t.toString());
                assertEquals(1, t.lookups(), t.toString());
                assertEquals(1, t.hits(), t.toString());
                assertEquals(0, t.errors(), t.toString());
                assertEquals("", t.lastError(), t.toString());
            }
        }
    }
}
