package org.proxymap.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.table.TableRegistry;
import org.proxymap.table.sql.TestDb;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;
import org.proxymap.testing.WireClient;

/**
 * Database faults under load, with a MariaDB of the test's own behind a delaying TCP
 * proxy: MariaDB killed (-9) and restarted (RETRY while it is down, never a wrong answer,
 * full recovery after), and a slow network to it (slow but right answers, RETRY within
 * the query timeout when it is slower than that, other tables unaffected throughout).
 *
 * <p>Needs the mysql table type (table/sql); until it is built the test is skipped with
 * that reason, also under CI.
 */
class MysqlFaultTest {
    static TestDb db;
    static Path dbDir;
    static DelayProxy proxy;
    static TestServer server;
    static String mysql, texthash;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(new TableRegistry(n -> null).typeNames().contains("mysql"),
                "the mysql table type is not in this build yet (branch mysql); MysqlFaultTest runs once it is");
        dbDir = Files.createTempDirectory(Path.of("/tmp"), "pmreldb");
        db = TestDb.startExtra(dbDir); // its own, so that it can be killed without disturbing the suite's
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 100; i++) rows.append(i == 0 ? "" : ",").append("('k").append(i).append("','v").append(i).append("')");
        db.sql("pmrel", "CREATE TABLE alias (k VARCHAR(64) PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB",
                "INSERT INTO alias VALUES " + rows);
        proxy = new DelayProxy(db.port);
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:mysql:${config_directory}/alias.cf proxy:texthash:${config_directory}/t");
        Clients.writeTable(dir.resolve("etc/t"), 100);
        Files.writeString(dir.resolve("etc/alias.cf"), """
                hosts = inet:127.0.0.1:%d
                user = pmtest
                password = pmtest
                dbname = pmrel
                query = SELECT v FROM alias WHERE k = '%%s'
                retry_interval = 1
                """.formatted(proxy.port()));
        Files.writeString(dir.resolve("etc/proxymap.cf"), """
                proxymap_sql_connect_timeout = 1s
                proxymap_sql_query_timeout = 1s
                """);
        server = TestServer.start(dir);
        mysql = "mysql:" + server.etc.resolve("alias.cf");
        texthash = "texthash:" + server.etc.resolve("t");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (proxy != null) proxy.close();
        if (db != null) db.stop();
        Trees.delete(dbDir);
    }

    /** Waits until a lookup through mysql answers right, up to {@code seconds}; returns the seconds it took. */
    static double awaitServed(double seconds) throws IOException {
        long t0 = System.nanoTime();
        try (WireClient c = Clients.connect(server.proxymap())) {
            while ((System.nanoTime() - t0) / 1e9 < seconds) {
                AttrList r = c.call("request", "lookup", "table", mysql, "flags", "0", "key", "k5");
                if (WireClient.escaped(r).equals("status\\00\\0value\\0v5\\0\\0")) return (System.nanoTime() - t0) / 1e9;
                Clients.sleep(100);
            }
        }
        return -1;
    }

    @Test
    void mariadbKilledAndRestartedUnderLoad() throws Exception {
        assertTrue(awaitServed(20) >= 0, "mysql table never answered");
        try (GoodClients viaDb = new GoodClients(server.proxymap(), mysql, 100, 16, 2000, false);
             GoodClients other = new GoodClients(server.proxymap(), texthash, 100, 4, 2000, false)) {
            Clients.sleep(1500);
            long retryBefore = viaDb.retry.sum();
            db.kill();
            long t0 = System.nanoTime();
            Clients.sleep(3000);
            long retryDown = viaDb.retry.sum() - retryBefore;
            long servedDown = viaDb.served.sum();
            db.start(); // crash recovery; same port
            double downSeconds = (System.nanoTime() - t0) / 1e9;
            double recovery = awaitServed(30);
            Clients.sleep(1000);
            long retryLate = viaDb.retry.sum();
            long servedLate = viaDb.served.sum();
            Clients.sleep(1500);
            long retryLast = viaDb.retry.sum() - retryLate;
            long servedLast = viaDb.served.sum() - servedLate;
            viaDb.close();
            other.close();
            System.out.printf("mariadb kill -9 + restart: down %.1f s, %d RETRY while down, served again %.1f s after the restart, "
                    + "%d served and %d RETRY in the last 1.5 s; mysql clients: %s; texthash clients: %s%n", downSeconds, retryDown,
                    recovery, servedLast, retryLast, viaDb.summary(), other.summary());
            assertEquals(0, viaDb.wrong.sum(), viaDb.summary());
            assertEquals(0, viaDb.failed.sum(), "a client lost its connection or got no reply: " + viaDb.summary());
            assertTrue(retryDown > 0, "lookups while the database is down must answer RETRY");
            assertTrue(recovery >= 0, "no recovery within 30 s of the restart");
            assertTrue(servedLast > 0 && retryLast == 0, "not fully recovered: " + servedLast + " served, " + retryLast + " RETRY");
            assertTrue(servedDown > 0);
            assertEquals(0, other.wrong.sum() + other.failed.sum() + other.retry.sum(), "texthash clients affected: " + other.summary());
        }
    }

    @Test
    void slowNetworkToTheDatabase() throws Exception {
        assertTrue(awaitServed(30) >= 0, "mysql table never answered");
        try (GoodClients viaDb = new GoodClients(server.proxymap(), mysql, 100, 16, 2000, false);
             WireClient probe = Clients.connect(server.proxymap())) {
            Clients.sleep(500);
            long stallsBefore = server.server.counters().stalls.sum();
            proxy.delayMillis = 150; // slow, but within the query timeout
            long servedBefore = viaDb.served.sum();
            long worstOther = 0;
            long end = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < end) { // another table stays fast meanwhile: no head-of-line blocking
                long t = System.nanoTime();
                AttrList r = probe.call("request", "lookup", "table", texthash, "flags", "0", "key", "k3");
                worstOther = Math.max(worstOther, System.nanoTime() - t);
                assertEquals("status\\00\\0value\\0v3\\0\\0", WireClient.escaped(r));
                Clients.sleep(10);
            }
            long servedSlow = viaDb.served.sum() - servedBefore;
            proxy.delayMillis = 3000; // slower than proxymap_sql_query_timeout: RETRY, in bounded time
            long worstDb = 0;
            for (int i = 0; i < 3; i++) {
                long t = System.nanoTime();
                AttrList r = probe.call("request", "lookup", "table", mysql, "flags", "0", "key", "k9");
                worstDb = Math.max(worstDb, System.nanoTime() - t);
                String got = WireClient.escaped(r);
                assertTrue(got.equals("status\\02\\0value\\0\\0\\0") || got.equals("status\\00\\0value\\0v9\\0\\0"), got);
            }
            proxy.delayMillis = 0;
            // latency bounds mean nothing when the machine did not run this process (the watchdog counts that)
            long stalls = server.server.counters().stalls.sum() - stallsBefore;
            double recovery = awaitServed(30);
            Clients.sleep(1000);
            long retryLate = viaDb.retry.sum(), servedLate = viaDb.served.sum();
            Clients.sleep(1500);
            viaDb.close();
            System.out.printf("slow database network: %d right answers at +150 ms per chunk, other table's worst latency %.0f ms; "
                    + "at +3000 ms the worst mysql reply took %.1f s; recovered %.1f s after the delay was lifted; mysql clients: %s%n",
                    servedSlow, worstOther / 1e6, worstDb / 1e9, recovery, viaDb.summary());
            assertEquals(0, viaDb.wrong.sum(), viaDb.summary());
            assertEquals(0, viaDb.failed.sum(), viaDb.summary());
            assertTrue(servedSlow > 0, "no answer while the network was slow");
            if (stalls == 0) {
                assertTrue(worstOther < 500_000_000L, "another table waited " + worstOther / 1e6 + " ms");
                assertTrue(worstDb < 8_000_000_000L, "a lookup took " + worstDb / 1e9 + " s with a 1 s query timeout");
            } else {
                System.out.printf("slow database network: latency bounds not judged, the process was stalled %d times (machine overloaded)%n", stalls);
            }
            assertTrue(recovery >= 0, "no recovery after the network became fast again");
            assertEquals(0, viaDb.retry.sum() - retryLate, "RETRY after recovery");
            assertTrue(viaDb.served.sum() > servedLate);
        }
    }
}
