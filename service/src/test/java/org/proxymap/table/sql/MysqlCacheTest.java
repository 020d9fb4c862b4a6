package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.config.ServiceConfig;
import org.proxymap.daemon.Reloader;
import org.proxymap.protocol.DictFlags;
import org.proxymap.protocol.Status;
import org.proxymap.server.Dialect;
import org.proxymap.server.ProxymapServer;
import org.proxymap.server.Reply;
import org.proxymap.server.Request;
import org.proxymap.server.Session;
import org.proxymap.table.TableCounters;
import org.proxymap.table.TableRegistry;
import org.proxymap.testing.Trees;

/**
 * The lookup cache in front of a real MariaDB (a server of its own, so that its general log
 * counts exactly this test's queries and it can be stopped): hits make no query, expiry,
 * negative answers, invalidation by reload, stale answers while the server is down with new
 * keys answering RETRY, recovery, and 200 concurrent lookups of a cold key making one query.
 */
class MysqlCacheTest {
    static TestDb db;
    static Path dir;
    static Path etc;
    static Path cf;
    static ProxymapServer server;
    static Reloader reloader;
    static String table;
    static final Session read = new Session(false, "proxymap");

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "pmcache");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        db = TestDb.startExtra(dir.resolve("db"));
        db.sql("pmcache", "CREATE OR REPLACE TABLE cache_t (k VARCHAR(64) PRIMARY KEY, v VARCHAR(64))",
                "INSERT INTO cache_t VALUES ('k1', 'v1'), ('k2', 'v2'), ('k3', 'v3'), ('cold', 'c'), ('late', 'l')",
                "SET GLOBAL log_output = 'TABLE'", "SET GLOBAL general_log = ON");
        etc = Files.createDirectory(dir.resolve("etc"));
        cf = etc.resolve("cache.cf");
        Files.writeString(cf, db.cf("pmcache", "query = SELECT v FROM cache_t WHERE k='%s'"));
        table = "mysql:" + cf;
        Files.writeString(etc.resolve("main.cf"), "queue_directory = " + dir + "\nproxy_read_maps = proxy:" + table + "\n");
        writeProxymapCf("");
        ServiceConfig config = ServiceConfig.load(etc);
        server = new ProxymapServer(config, new TableRegistry(config.parameters()));
        reloader = new Reloader(etc, server);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.registry().close();
        if (db != null) db.stop();
        if (dir != null) Trees.delete(dir);
    }

    static void writeProxymapCf(String extra) throws Exception {
        Files.writeString(etc.resolve("proxymap.cf"), "proxymap_cache_maps = proxy:" + table + "\n"
                + "proxymap_sql_connect_timeout = 1s\nproxymap_sql_query_timeout = 2s\n" + extra);
    }

    static void reload(String extra) throws Exception {
        writeProxymapCf(extra);
        var r = reloader.reload();
        assertTrue(r.ok(), r.message());
    }

    static Reply lookup(String key) {
        return server.dispatcher().handle(new Request.Lookup(Dialect.C, "proxy:" + table, 0, DictFlags.DAEMON_LOOKUP, key), read);
    }

    /** Lookups of {@code key} the server received, by its general log. */
    static int queries(String key) throws Exception {
        try (Connection c = db.connect("pmcache"); Statement st = c.createStatement();
             // built with CONCAT so that this query does not count itself; text queries and prepared executions
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM mysql.general_log WHERE command_type IN ('Query', 'Execute')"
                     + " AND argument LIKE CONCAT('%FROM cach', 'e_t WHERE k=''', '" + key + "', '''%')")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The general log's last statements, for a failure message. */
    static String logged() throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Connection c = db.connect("pmcache"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT command_type, CAST(argument AS CHAR) FROM mysql.general_log"
                     + " ORDER BY event_time DESC LIMIT 8")) {
            while (rs.next()) sb.append('\n').append(rs.getString(1)).append(": ").append(rs.getString(2));
        }
        return sb.toString();
    }

    static String uncheck() {
        try {
            return logged();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static TableCounters counters() {
        return server.registry().handles().stream().filter(h -> h.fullName().equals(table)).findFirst().orElseThrow().counters();
    }

    @Test
    void hitsNegativeAnswersExpiryAndReload() throws Exception {
        reload("proxymap_cache_ttl = 2s\nproxymap_cache_negative_ttl = 2s\n");
        for (int i = 0; i < 5; i++) {
            assertEquals("v1", lookup("k1").value());
            assertEquals(Status.NOKEY, lookup("absent").status());
        }
        assertEquals(1, queries("k1"), () -> "hits after the first lookup make no query; logged: " + uncheck());
        assertEquals(1, queries("absent"), "not found is cached too");
        Thread.sleep(2200);
        assertEquals("v1", lookup("k1").value());
        assertEquals(Status.NOKEY, lookup("absent").status());
        assertEquals(2, queries("k1"), "asked again after the TTL");
        assertEquals(2, queries("absent"), "asked again after the negative TTL");

        // a reload that changes the table's definition drops its answers
        assertEquals("v1", lookup("k1").value());
        Files.writeString(cf, db.cf("pmcache", "query = SELECT v FROM cache_t WHERE k='%s'", "# changed"));
        reload("proxymap_cache_ttl = 2s\nproxymap_cache_negative_ttl = 2s\n");
        assertEquals("v1", lookup("k1").value());
        assertEquals(3, queries("k1"), "the changed table's instance starts with no answers");
        // a table left out of proxymap_cache_maps is asked at once
        Files.writeString(etc.resolve("proxymap.cf"), "proxymap_cache_maps =\n");
        assertTrue(reloader.reload().ok());
        assertEquals("v1", lookup("k1").value());
        assertEquals("v1", lookup("k1").value());
        assertEquals(5, queries("k1"));
    }

    @Test
    void staleAnswersWhileTheServerIsDownNewKeysRetryThenRecovery() throws Exception {
        reload("proxymap_cache_ttl = 1s\nproxymap_cache_negative_ttl = 1s\nproxymap_cache_stale_ttl = 1h\n");
        assertEquals("v2", lookup("k2").value());
        assertEquals("v3", lookup("k3").value());
        assertEquals(Status.NOKEY, lookup("gone").status());
        Thread.sleep(1100); // expired: only stale answers are left
        long staleBefore = counters().cacheStaleServed.sum();
        db.kill(); // the outage: MariaDB gone for 20 s under 16 clients
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        try {
            long until = System.nanoTime() + 20_000_000_000L;
            List<Future<?>> clients = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                for (int c = 0; c < 16; c++) {
                    clients.add(pool.submit(() -> {
                        while (System.nanoTime() < until) {
                            Reply a = lookup("k2"), b = lookup("k3"), n = lookup("gone");
                            for (Reply r : List.of(a, b, n)) if (r.status() == Status.RETRY) retries.incrementAndGet();
                            if (!"v2".equals(a.value()) || !"v3".equals(b.value()) || n.status() != Status.NOKEY) {
                                wrong.add(a + " " + b + " " + n);
                            }
                            answered.addAndGet(3);
                            Thread.sleep(10);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) f.get();
            }
            assertEquals(0, retries.get(), "keys looked up before the outage keep their answers");
            assertEquals(List.of(), wrong.stream().limit(3).toList(), "stale answers are the answers from before");
            assertTrue(answered.get() >= 16 * 3 * 100, "lookups were made during the outage: " + answered.get());
            assertTrue(counters().cacheStaleServed.sum() > staleBefore, "answered as stale");
            assertEquals(Status.RETRY, lookup("late").status(), "a key never seen gets RETRY");
            System.out.println("cache: MariaDB killed for 20 s under 16 clients: " + answered.get() + " lookups answered stale, 0 RETRY");
        } finally {
            db.start();
            db.sql("pmcache", "SET GLOBAL log_output = 'TABLE'", "SET GLOBAL general_log = ON"); // not kept over a restart
        }
        long t0 = System.nanoTime();
        Reply late;
        do {
            late = lookup("late");
            if (late.status() != Status.OK) Thread.sleep(100);
        } while (late.status() != Status.OK && System.nanoTime() - t0 < 20_000_000_000L);
        assertEquals("l", late.value(), "recovered");
        db.sql("pmcache", "UPDATE cache_t SET v = 'v2new' WHERE k = 'k2'");
        assertEquals("v2new", lookup("k2").value(), "the expired answer was replaced after recovery");
    }

    @Test
    void twoHundredConcurrentLookupsOfOneColdKeyMakeOneQuery() throws Exception {
        reload("proxymap_cache_ttl = 60s\n");
        assertEquals(Status.NOKEY, lookup("warm").status()); // the pool is open and connected
        TableCounters c = counters();
        long hits = c.cacheHits.sum(), coalesced = c.cacheCoalesced.sum();
        List<Future<Reply>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) replies.add(pool.submit(() -> lookup("cold")));
            for (Future<Reply> f : replies) assertEquals("c", f.get().value());
        }
        assertEquals(1, queries("cold"), "one query for 200 lookups");
        assertEquals(199, c.cacheHits.sum() - hits + c.cacheCoalesced.sum() - coalesced);
    }
}
