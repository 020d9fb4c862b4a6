package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.PooledResource;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.testing.Trees;

/**
 * Faults with real servers: connections closed by wait_timeout, failover between two
 * servers, an outage and its recovery, a query slower than the timeout.
 */
class MysqlFaultsTest {
    static TestDb a;
    static TestDb b;
    static Path dir;
    static final SharedResources resources = new SharedResources();

    @BeforeAll
    static void servers() throws Exception {
        a = TestDb.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pmft");
        // mariadbd runs as mysql and must reach its datadir below this directory
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        b = TestDb.startExtra(dir.resolve("db"));
        a.sql("pmfail", "CREATE OR REPLACE TABLE t (k VARCHAR(64), v VARCHAR(64))", "INSERT INTO t VALUES ('who', 'A')");
        b.sql("pmfail", "CREATE OR REPLACE TABLE t (k VARCHAR(64), v VARCHAR(64))", "INSERT INTO t VALUES ('who', 'B')");
    }

    @AfterAll
    static void stop() throws Exception {
        resources.close();
        if (b != null) {
            b.stop();
        }
        if (dir != null) Trees.delete(dir);
    }

    static LookupTable open(String body, Map<String, String> settings) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body);
        return new MysqlType().open(f.toString(), new OpenContext(false, 0, settings::get, resources));
    }

    static String cf(String hosts, String... extra) {
        return "hosts = " + hosts + "\nuser = pmtest\npassword = pmtest\ndbname = pmfail\n"
                + "query = SELECT v FROM t WHERE k='%s'\n" + String.join("\n", extra) + "\n";
    }

    static String tcp(TestDb db) { return "127.0.0.1:" + db.port; }

    @Test
    void connectionsClosedByWaitTimeoutNeverFailALookup() throws Exception {
        b.sql("pmfail", "SET GLOBAL wait_timeout = 1");
        try (LogCapture log = new LogCapture(); LookupTable t = open(cf(tcp(b), "idle_interval = 3600"), Map.of())) {
            assertEquals("B", t.lookup("who"));
            Thread.sleep(2500); // the server closes the idle pooled connection
            long t0 = System.nanoTime();
            assertEquals("B", t.lookup("who"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 4000, "replaced without waiting for the 5 s query timeout: " + ms + " ms");
            var info = ((PooledResource) resources.snapshot().values().stream().filter(r -> r instanceof PooledResource)
                    .filter(r -> ((PooledResource) r).poolStats().target().contains(tcp(b))).findFirst().orElseThrow()).poolStats();
            assertEquals(2, info.created(), "the dead connection was replaced: " + info);
            assertEquals(0, log.count("is down"), "found dead before use, not by a failed query: " + log.all());
        } finally {
            b.sql("pmfail", "SET GLOBAL wait_timeout = 28800");
        }
    }

    @Test
    void failoverToTheOtherServerWhenOneStops() throws Exception {
        try (LogCapture log = new LogCapture(); LookupTable t = open(cf(tcp(a) + " " + tcp(b)), Map.of())) {
            String first = t.lookup("who");
            assertTrue(first.equals("A") || first.equals("B"));
            assertEquals(first, t.lookup("who"), "the connected host is kept");
            TestDb used = first.equals("A") ? a : b;
            used.stop();
            try {
                for (int i = 0; i < 5; i++) assertNotEquals(first, t.lookup("who"), "the other server answers at once");
                // 0 when the dead pooled connection was found before use and the other host was picked
                assertTrue(log.count("is down") <= 1, "logged at most once: " + log.all());
            } finally {
                used.start();
            }
        }
    }

    @Test
    void outageAnswersRetryQuicklyLogsOnceAndRecoversByItself() throws Exception {
        try (LogCapture log = new LogCapture(); LookupTable t = open(cf(tcp(b)), Map.of())) {
            assertEquals("B", t.lookup("who"));
            b.stop();
            try {
                long worst = 0;
                for (int i = 0; i < 20; i++) {
                    long t0 = System.nanoTime();
                    var e = assertThrows(TableException.class, () -> t.lookup("who"));
                    worst = Math.max(worst, System.nanoTime() - t0);
                    assertEquals(Status.RETRY, e.status());
                    Thread.sleep(50);
                }
                assertTrue(worst < 5_000_000_000L, "RETRY within the 2 s connect timeout (plus slack): " + worst / 1_000_000 + " ms");
                assertEquals(1, log.count("is down"), log.all());
            } finally {
                b.start();
            }
            long t0 = System.nanoTime();
            String v = null;
            while (v == null && System.nanoTime() - t0 < 10_000_000_000L) {
                try {
                    v = t.lookup("who");
                } catch (TableException e) {
                    Thread.sleep(100);
                }
            }
            assertEquals("B", v, "recovered without a restart");
            assertTrue(System.nanoTime() - t0 < 8_000_000_000L, "noticed within seconds although retry_interval is 60 s");
            assertEquals(1, log.count("is back up"), log.all());
            assertEquals(1, log.count("is down"), "one line per change of state: " + log.all());
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersCostsOnlyTheConnectTimeout() throws Exception {
        // a black hole: the TCP connect succeeds, the MariaDB greeting never comes
        try (java.net.ServerSocket hole = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             LogCapture log = new LogCapture();
             LookupTable t = open(cf("127.0.0.1:" + hole.getLocalPort()), Map.of("proxymap_sql_connect_timeout", "1s"))) {
            for (int i = 0; i < 2; i++) {
                long t0 = System.nanoTime();
                assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("who")).status());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 10_000, "bounded: twice the 1 s connect timeout (a lone host is tried twice), plus slack for a busy machine: " + ms + " ms");
            }
            assertEquals(1, log.count("is down"), log.all());
        }
    }

    @Test
    void aQuerySlowerThanTheTimeoutAnswersRetryInTime() throws Exception {
        try (LogCapture log = new LogCapture();
             LookupTable t = open(cf(tcp(a)).replace("WHERE k=", "WHERE SLEEP(20) = 0 AND k="),
                     Map.of("proxymap_sql_query_timeout", "1s"))) {
            long t0 = System.nanoTime();
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("who")).status());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 8000, "cut at the 1 s query timeout, not after the 20 s query: " + ms + " ms");
            assertTrue(log.count("query failed") == 1 && log.count("max_statement_time") == 1, log.all());
        }
    }
}
