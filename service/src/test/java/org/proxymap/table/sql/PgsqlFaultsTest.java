package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.testing.TestPg;
import org.proxymap.testing.Trees;

/**
 * pgsql faults with real servers: PostgreSQL killed and restarted under load, a query
 * slower than the timeout, a wrong password, the server's connection limit reached.
 */
class PgsqlFaultsTest {
    static TestPg shared;
    static TestPg own;
    static Path dir;
    static final SharedResources resources = new SharedResources();
    static final String DB = "pmfault";

    @BeforeAll
    static void servers() throws Exception {
        shared = TestPg.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pmpgf");
        // postgres runs as its own user and must reach its data directory below this one
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        own = TestPg.startExtra(dir.resolve("db"));
        for (TestPg db : List.of(shared, own)) {
            db.freshDatabase(DB, "CREATE TABLE t (k TEXT, v TEXT)", "INSERT INTO t VALUES ('who', 'here')");
        }
        shared.sql(DB, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pmlimit') THEN"
                + " CREATE ROLE pmlimit LOGIN PASSWORD 'pmlimit-pw'; END IF; END $$",
                "ALTER ROLE pmlimit CONNECTION LIMIT 2 PASSWORD 'pmlimit-pw'", "GRANT SELECT ON t TO pmlimit");
    }

    @AfterAll
    static void stop() throws Exception {
        resources.close();
        if (own != null) own.stop();
        if (dir != null) Trees.delete(dir);
    }

    static LookupTable open(String body, Map<String, String> settings) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body);
        return new PgsqlType().open(f.toString(), new OpenContext(false, 0, settings::get, resources));
    }

    static String cf(TestPg db, String user, String password, String query) {
        return "hosts = " + db.host + ":" + db.port + "\nuser = " + user + "\npassword = " + password + "\ndbname = " + DB
                + "\nquery = " + query + "\n";
    }

    static String cf(TestPg db) { return cf(db, db.user, db.password, "SELECT v FROM t WHERE k='%s'"); }

    @Test
    void killedAndRestartedUnderLoadAnswersRetryThenRecoversWithinASecond() throws Exception {
        try (LogCapture log = new LogCapture(); LookupTable t = open(cf(own), Map.of())) {
            assertEquals("here", t.lookup("who"));
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger(), retry = new AtomicInteger();
            AtomicLong lastOkNanos = new AtomicLong(), worstRetryNanos = new AtomicLong();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        long t0 = System.nanoTime();
                        try {
                            if ("here".equals(t.lookup("who"))) {
                                ok.incrementAndGet();
                                lastOkNanos.set(System.nanoTime());
                            } else {
                                wrong.add("wrong value");
                            }
                        } catch (TableException e) {
                            if (e.status() != Status.RETRY) wrong.add(e.toString());
                            retry.incrementAndGet();
                            worstRetryNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                            try {
                                Thread.sleep(5);
                            } catch (InterruptedException ie) {
                                return;
                            }
                        } catch (RuntimeException e) {
                            wrong.add(e.toString());
                        }
                    }
                }));
            }
            // under load first: every client connected and answered (16 logins take a while on a busy machine)
            long warm = System.nanoTime() + 15_000_000_000L;
            while (ok.get() < 500 && System.nanoTime() < warm) Thread.sleep(10);
            int okBefore = ok.get();
            int retryBefore = retry.get();
            own.kill();
            long killed = System.nanoTime();
            Thread.sleep(200); // lookups in flight on backends that were still dying
            int okAfterKill = ok.get();
            Thread.sleep(1300);
            int retriesWhileDown = retry.get() - retryBefore;
            int okWhileDown = ok.get() - okAfterKill;
            long restartedAt;
            own.start();
            restartedAt = System.nanoTime();
            long deadline = restartedAt + 10_000_000_000L;
            while (lastOkNanos.get() < restartedAt && System.nanoTime() < deadline) Thread.sleep(10);
            long recoveredMs = (lastOkNanos.get() - restartedAt) / 1_000_000;
            Thread.sleep(200);
            running.set(false);
            for (Thread c : clients) c.join();
            System.out.println("pgsql kill/restart under load: " + okBefore + " lookups before, " + retriesWhileDown
                    + " RETRY while down (worst " + worstRetryNanos.get() / 1_000_000 + " ms), first answer "
                    + recoveredMs + " ms after the server was back, " + ok.get() + " answered in all");
            assertEquals(List.of(), List.copyOf(wrong).stream().limit(3).toList());
            assertTrue(okBefore >= 500, "load before the kill: " + okBefore);
            assertEquals(0, retryBefore, "no RETRY before the kill");
            assertTrue(retriesWhileDown > 16, "RETRY while down: " + retriesWhileDown);
            assertEquals(0, okWhileDown, "no answers while the server is down");
            // a lookup in flight at the kill ends at the latest with the socket timeout (query timeout + 2 s)
            assertTrue(worstRetryNanos.get() < 8_000_000_000L, "RETRY within the timeouts: " + worstRetryNanos.get() / 1_000_000 + " ms");
            assertTrue(recoveredMs >= 0 && recoveredMs < 1_500, "recovered within a second of the restart (probe every second): " + recoveredMs + " ms");
            assertEquals(List.of(), List.copyOf(wrong));
            assertEquals(1, log.count("is down"), "down logged once: " + log.all());
            assertEquals(1, log.count("is back up"), "back up logged once: " + log.all());
            assertTrue(killed > 0);
        }
    }

    @Test
    void failoverBetweenTwoServersAndBack() throws Exception {
        own.sql(DB, "UPDATE t SET v = 'own'");
        shared.sql(DB, "UPDATE t SET v = 'shared'");
        // own by its UNIX socket (under the name libpq uses for the default port), which is preferred; shared over TCP
        Path sockets = Files.createTempDirectory(dir, "sock");
        Files.setPosixFilePermissions(sockets, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(sockets.resolve(".s.PGSQL.5432"), Path.of(own.socketDir, ".s.PGSQL." + own.port));
        try (LogCapture log = new LogCapture();
             LookupTable t = open("hosts = inet:" + shared.host + ":" + shared.port + ", unix:" + sockets + "\nuser = "
                     + own.user + "\npassword = " + own.password + "\ndbname = " + DB + "\nquery = SELECT v FROM t WHERE k='%s'\n", Map.of())) {
            assertEquals("own", t.lookup("who"), "UNIX sockets first");
            assertEquals("own", t.lookup("who"));
            own.stop();
            try {
                for (int i = 0; i < 5; i++) assertEquals("shared", t.lookup("who"), "the other server answers at once");
                assertTrue(log.count("is down") <= 1, log.all());
            } finally {
                own.start();
            }
        } finally {
            own.sql(DB, "UPDATE t SET v = 'here'");
            shared.sql(DB, "UPDATE t SET v = 'here'");
        }
    }

    @Test
    void probeConnectsAndNamesTheProblem() throws Exception {
        var context = new OpenContext(false, 0, k -> null, resources);
        Path good = Files.createTempFile(dir, "p", ".cf");
        Files.writeString(good, cf(shared));
        assertEquals(List.of(), new PgsqlType().probe(good.toString(), context));
        Path bad = Files.createTempFile(dir, "p", ".cf");
        Files.writeString(bad, cf(shared, shared.user, "wrong-pw", "SELECT v FROM t WHERE k='%s'"));
        List<String> problems = new PgsqlType().probe(bad.toString(), context);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(bad.toString()) && problems.get(0).contains("password authentication failed"), problems.get(0));
        Path badSql = Files.createTempFile(dir, "p", ".cf");
        Files.writeString(badSql, cf(shared, shared.user, shared.password, "SELECT v FROM missing WHERE k='%s'"));
        problems = new PgsqlType().probe(badSql.toString(), context);
        assertTrue(problems.size() == 1 && problems.get(0).contains("relation \"missing\" does not exist"), problems.toString());
    }

    @Test
    void aQuerySlowerThanTheTimeoutAnswersRetryAndHoldsNothing() throws Exception {
        Map<String, String> settings = Map.of("proxymap_sql_query_timeout", "1s");
        try (LookupTable slow = open(cf(shared, shared.user, shared.password,
                "SELECT v FROM t WHERE k='%s' AND pg_sleep(CASE WHEN '%s' = 'slow' THEN 3 ELSE 0 END) IS NOT NULL"), settings);
             LookupTable fast = open(cf(shared), settings)) {
            long t0 = System.nanoTime();
            TableException e = assertThrows(TableException.class, () -> slow.lookup("slow"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Status.RETRY, e.status());
            assertTrue(ms >= 900 && ms < 2_900, "cancelled at the 1 s query timeout: " + ms + " ms");
            assertEquals("here", fast.lookup("who"), "the pool still serves");
            assertEquals(null, slow.lookup("who-else"), "a timeout is ours, not a query error: the table is not held back");
            System.out.println("pgsql slow query: RETRY after " + ms + " ms (query timeout 1 s)");
        }
    }

    @Test
    void aWrongPasswordAnswersRetryAndIsLoggedWithoutThePassword() throws Exception {
        try (LogCapture log = new LogCapture();
             LookupTable t = open(cf(shared, shared.user, "not-the-password", "SELECT v FROM t WHERE k='%s'"), Map.of())) {
            for (int i = 0; i < 3; i++) assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("who")).status());
            assertTrue(log.all().contains("password authentication failed for user \"" + shared.user + "\""), log.all());
            assertFalse(log.all().contains("not-the-password"), log.all());
            assertEquals(1, log.count("is down"), log.all());
        }
    }

    @Test
    void theServersConnectionLimitMakesThePoolKeepToWhatItHas() throws Exception {
        Map<String, String> settings = Map.of("proxymap_sql_pool_max_connections", "10", "proxymap_sql_query_timeout", "10s");
        try (LogCapture log = new LogCapture();
             LookupTable t = open(cf(shared, "pmlimit", "pmlimit-pw", "SELECT v FROM t WHERE k='%s' AND pg_sleep(0.02) IS NOT NULL"), settings)) {
            AtomicInteger ok = new AtomicInteger(), maxSeen = new AtomicInteger();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().start(() -> {
                try (Connection c = shared.connect(DB); Statement st = c.createStatement()) {
                    while (sampling.get()) {
                        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = 'pmlimit'")) {
                            rs.next();
                            maxSeen.accumulateAndGet(rs.getInt(1), Math::max);
                        }
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    for (int j = 0; j < 10; j++) {
                        try {
                            if ("here".equals(t.lookup("who"))) ok.incrementAndGet();
                        } catch (TableException e) {
                            wrong.add(e.getMessage());
                        }
                    }
                }));
            }
            for (Thread c : clients) c.join();
            sampling.set(false);
            sampler.join();
            System.out.println("pgsql connection limit 2: " + ok.get() + " of 200 lookups answered, at most " + maxSeen.get()
                    + " connections; " + wrong.size() + " RETRY");
            assertEquals(200, ok.get(), "every lookup waited for one of the connections there are: " + wrong.stream().limit(3).toList());
            assertTrue(maxSeen.get() <= 2, "server-side connections: " + maxSeen.get());
            assertEquals(1, log.count("accepts no more connections now (FATAL: too many connections for role \"pmlimit\")"), log.all());
            assertEquals(0, log.count("is down"), "the server is up, only full: " + log.all());
        }
    }
}
