package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.it.PostfixReference;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/**
 * mysql tables through the real server: the global connection cap under 200 concurrent
 * clients, no head-of-line blocking behind a slow table, and byte-for-byte the same answers
 * as Postfix's own mysql client ({@code postmap -q KEY mysql:...}) and as the real Postfix proxymap for
 * {@code postmap -q KEY proxy:mysql:...}.
 */
class MysqlServerTest {
    static TestDb db;
    static final String DB = "pmsrv";

    @BeforeAll
    static void schema() throws Exception {
        db = TestDb.shared();
        db.sql(DB, "CREATE OR REPLACE TABLE alias (address VARCHAR(255), goto VARCHAR(255), note VARCHAR(255) NULL)",
                "INSERT INTO alias VALUES ('a@example.com', 'x@example.net', NULL), ('m@example.com', 'm1@example.net', 'n'),"
                        + " ('m@example.com', 'm2@example.net', NULL), ('q''t@example.com', 'quote@example.net', NULL),"
                        + " ('plain', 'p@example.net', ''), ('\u00fc@example.com', '\u00e9@example.net', NULL)",
                "CREATE USER IF NOT EXISTS 'pmcap'@'127.0.0.1' IDENTIFIED BY 'pmcap'",
                "GRANT SELECT ON " + DB + ".* TO 'pmcap'@'127.0.0.1'");
    }

    static String status(AttrList r) { return r.value(r.indexOf("status")); }

    static String value(AttrList r) { return r.value(r.indexOf("value")); }

    @Test
    void connectionCapHoldsUnder200ConcurrentClients() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:mysql:${config_directory}/cap.cf");
        Files.writeString(dir.resolve("etc/proxymap.cf"), "proxymap_sql_max_connections = 4\nproxymap_sql_pool_max_connections = 10\n"
                // a generous wait: the point is the cap, on a machine that may be busy
                + "proxymap_sql_query_timeout = 60s\n");
        Files.writeString(dir.resolve("etc/cap.cf"), "hosts = 127.0.0.1:" + db.port + "\nuser = pmcap\npassword = pmcap\ndbname = " + DB
                + "\nquery = SELECT goto FROM alias WHERE address='%s' AND SLEEP(0.002) = 0\n");
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxSeen = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            try (Connection c = db.connect(""); Statement st = c.createStatement()) {
                while (sampling.get()) {
                    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'pmcap'")) {
                        rs.next();
                        maxSeen.accumulateAndGet(rs.getInt(1), Math::max);
                    }
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (TestServer s = TestServer.start(dir)) {
            String table = "mysql:" + s.etc.resolve("cap.cf");
            int clients = 200, each = 5;
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            CountDownLatch done = new CountDownLatch(clients);
            long t0 = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                Thread.ofPlatform().start(() -> {
                    try (WireClient c = WireClient.connect(s.proxymap())) {
                        for (int j = 0; j < each; j++) {
                            AttrList r = c.call("request", "lookup", "table", table, "flags", "540737", "key", "a@example.com");
                            if (!status(r).equals("0") || !value(r).equals("x@example.net")) wrong.add(r.toString());
                        }
                    } catch (Exception e) {
                        wrong.add(e.toString());
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), "clients finished");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0, wrong.size(), "every lookup answered; " + wrong.size() + " did not, e.g. "
                    + wrong.stream().limit(3).toList());
            System.out.println("cap test: " + clients * each + " lookups from " + clients + " clients in " + ms
                    + " ms, at most " + maxSeen.get() + " database connections");
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertTrue(maxSeen.get() >= 1 && maxSeen.get() <= 4, "connections seen by the server: " + maxSeen.get());
    }

    @Test
    void aSlowTableDoesNotDelayOtherTablesOrClients() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:mysql:${config_directory}/slow.cf proxy:mysql:${config_directory}/fast.cf");
        String common = db.cf(DB);
        Files.writeString(dir.resolve("etc/slow.cf"), common + "query = SELECT goto FROM alias WHERE address='%s' AND SLEEP(0.2) = 0\n");
        Files.writeString(dir.resolve("etc/fast.cf"), common + "query = SELECT goto FROM alias WHERE address='%s'\n");
        try (TestServer s = TestServer.start(dir)) {
            String slow = "mysql:" + s.etc.resolve("slow.cf");
            String fast = "mysql:" + s.etc.resolve("fast.cf");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger slowDone = new AtomicInteger();
            List<Thread> slowClients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                slowClients.add(Thread.ofVirtual().start(() -> {
                    try (WireClient c = WireClient.connect(s.proxymap())) {
                        while (running.get()) {
                            AttrList r = c.call("request", "lookup", "table", slow, "flags", "540737", "key", "a@example.com");
                            if (status(r).equals("0")) slowDone.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            List<Long> micros = new ArrayList<>();
            try (WireClient c = WireClient.connect(s.proxymap())) {
                c.call("request", "lookup", "table", fast, "flags", "540737", "key", "a@example.com"); // warm up
                Thread.sleep(300); // the slow clients are in their queries now
                for (int i = 0; i < 40; i++) {
                    long t0 = System.nanoTime();
                    AttrList r = c.call("request", "lookup", "table", fast, "flags", "540737", "key", "a@example.com");
                    micros.add((System.nanoTime() - t0) / 1000);
                    assertEquals("x@example.net", value(r));
                }
            } finally {
                running.set(false);
                for (Thread t : slowClients) t.join();
            }
            Collections.sort(micros);
            long median = micros.get(micros.size() / 2);
            long p90 = micros.get(micros.size() * 9 / 10);
            System.out.println("head-of-line test: fast lookups median " + median + " us, p90 " + p90 + " us, max "
                    + micros.get(micros.size() - 1) + " us, while " + slowDone.get() + " slow (200 ms) lookups ran");
            assertTrue(slowDone.get() >= 8, "the slow table was busy: " + slowDone.get());
            assertTrue(median < 50_000 && p90 < 100_000, "fast lookups are not queued behind 200 ms ones: " + micros);
        }
    }

    @Test
    void postmapThroughTheServerAnswersLikePostfixsOwnMysqlClient() throws Exception {
        Path postmap = Require.executable("/usr/sbin/postmap");
        Require.that(Files.exists(Path.of("/usr/lib/postfix/postfix-mysql.so")), "postfix-mysql (Postfix's mysql client)");
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:mysql:${config_directory}/virtual.cf proxy:mysql:${config_directory}/fmt.cf");
        String common = db.cf(DB);
        Files.writeString(dir.resolve("etc/virtual.cf"), common + "query = SELECT goto, note FROM alias WHERE address='%s'\n");
        Files.writeString(dir.resolve("etc/fmt.cf"), common
                + "query = SELECT goto FROM alias WHERE address='%u@%d'\nresult_format = <%u|%d|%S|%U|%D|%1>\nexpansion_limit = 1\n");
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        // Postfix's proxymap runs as postfix: the .cf files must be readable by it
        for (Path p : new Path[] {dir, dir.resolve("etc")}) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestServer s = TestServer.start(dir);
                PostfixReference real = PostfixReference.start("smtputf8_enable = no\nproxy_read_maps = proxy:mysql:"
                        + dir.resolve("etc/virtual.cf") + " proxy:mysql:" + dir.resolve("etc/fmt.cf") + "\n")) {
            for (String cf : new String[] {"virtual.cf", "fmt.cf"}) {
                String table = "mysql:" + s.etc.resolve(cf);
                for (String key : new String[] {"a@example.com", "m@example.com", "q't@example.com", "plain", "A@EXAMPLE.COM",
                        "nobody@example.com", "\u00fc@example.com", "x' OR '1'='1"}) {
                    // the oracle: the same client through the real Postfix 3.7 proxymap (both clients with SMTPUTF8 off)
                    String[] theirs = run(postmap, real.etc, key, "proxy:" + table);
                    String[] proxied = run(postmap, s.etc, key, "proxy:" + table);
                    assertEquals(theirs[0] + "|" + theirs[1], proxied[0] + "|" + proxied[1], cf + " key " + key + "; stderr: " + proxied[2]
                            + "; Postfix's stderr: " + theirs[2]);
                    // and Postfix's own mysql client on the same .cf agrees (no open flag changes a mysql table)
                    String[] direct = run(postmap, s.etc, key, table);
                    assertEquals(direct[0] + "|" + direct[1], proxied[0] + "|" + proxied[1], cf + " key " + key);
                }
            }
            // and a hit really was a hit
            assertEquals("0", run(postmap, s.etc, "a@example.com", "proxy:mysql:" + s.etc.resolve("virtual.cf"))[0]);
        }
    }

    /** Runs postmap -q; returns exit code, stdout, stderr. */
    static String[] run(Path postmap, Path etc, String key, String table) throws Exception {
        Process p = new ProcessBuilder(postmap.toString(), "-c", etc.toString(), "-q", key, table).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "postmap finished");
        return new String[] {String.valueOf(p.exitValue()), out, err};
    }
}
