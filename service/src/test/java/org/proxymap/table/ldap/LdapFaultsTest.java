package org.proxymap.table.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.table.PoolStats;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.PooledResource;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.table.sql.LogCapture;
import org.proxymap.testing.Slapd;

/** ldap tables against a real slapd that fails: killed and restarted under load, wrong password, missing base, a silent server. */
class LdapFaultsTest {
    static Slapd slapd;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        slapd = Slapd.start(LdapFixture.ldif());
    }

    @AfterAll
    static void stop() throws Exception {
        if (slapd != null) slapd.close();
    }

    private final SharedResources resources = new SharedResources();

    private LookupTable open(String body) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body);
        return new LdapType().open(f.toString(), new OpenContext(false, 0, n -> null, resources));
    }

    private String aliases() { return "server_host = " + slapd.url() + "\nsearch_base = " + Slapd.SUFFIX + "\nversion = 3\ntimeout = 2\n"; }

    @Test
    void slapdKilledAndRestartedUnderLoad() throws Exception {
        try (LookupTable t = open(aliases())) {
            assertEquals("alice@mail.example.org", t.lookup("alice@example.org"));
            AtomicBoolean run = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger(), retry = new AtomicInteger();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 8; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    while (run.get()) {
                        try {
                            String v = t.lookup("bob@example.org");
                            if ("bob@mail.example.org,bob@backup.example.net,bob@de.example.org".equals(v)) ok.incrementAndGet();
                            else wrong.add(String.valueOf(v));
                        } catch (TableException e) {
                            if (e.status() == Status.RETRY) retry.incrementAndGet();
                            else wrong.add(e.getMessage());
                        } catch (RuntimeException e) {
                            wrong.add(e.toString());
                        }
                    }
                }));
            }
            Thread.sleep(500);
            int before = ok.get();
            slapd.kill();
            long killed = System.nanoTime();
            Thread.sleep(1000);
            int retryWhileDown = retry.get();
            slapd.start();
            long restarted = System.nanoTime();
            // the first good answer after the restart
            int atRestart = ok.get();
            while (ok.get() == atRestart && System.nanoTime() - restarted < 5_000_000_000L) Thread.sleep(5);
            long recoveredMillis = (System.nanoTime() - restarted) / 1_000_000;
            Thread.sleep(300);
            run.set(false);
            for (Thread th : threads) th.join(10_000);
            System.out.printf("ldap slapd restart: %d good lookups before, %d RETRY while down (1 s), first good answer %d ms after the restart,"
                    + " %d good in all, down for %d ms%n", before, retryWhileDown, recoveredMillis, ok.get(), (restarted - killed) / 1_000_000);
            assertEquals(List.of(), List.copyOf(wrong), "only right answers or RETRY");
            assertTrue(before > 50, "load before the kill: " + before);
            assertTrue(retryWhileDown > 0, "RETRY while slapd is down");
            assertTrue(recoveredMillis < 3000, "answers again soon after the restart: " + recoveredMillis + " ms");
            assertEquals("alice@mail.example.org", t.lookup("alice@example.org"));
        }
    }

    @Test
    void wrongBindPasswordIsRetryLoggedOnceWithoutThePassword() throws Exception {
        String pw = "wrong-password-xyz";
        try (LogCapture logs = new LogCapture();
             LookupTable t = open(aliases() + "bind_dn = " + LdapFixture.READER_DN + "\nbind_pw = " + pw + "\n")) {
            for (int i = 0; i < 5; i++) {
                var e = assertThrows(TableException.class, () -> t.lookup("alice@example.org"));
                assertEquals(Status.RETRY, e.status());
                assertFalse(e.getMessage().contains(pw), e.getMessage());
            }
            assertEquals(1, logs.count("Unable to bind"), logs.all());
            assertTrue(logs.all().contains("49 (invalid credentials)"), logs.all());
            assertFalse(logs.all().contains(pw), "the password is never logged");
        }
    }

    @Test
    void staticSearchBaseThatDoesNotExistIsRetryAndDynamicOneIsNotFound() throws Exception {
        try (LogCapture logs = new LogCapture();
             LookupTable t = open(aliases().replace("search_base = " + Slapd.SUFFIX, "search_base = ou=nowhere," + Slapd.SUFFIX))) {
            var e = assertThrows(TableException.class, () -> t.lookup("alice@example.org"));
            assertEquals(Status.RETRY, e.status());
            assertTrue(logs.all().contains("Search base 'ou=nowhere," + Slapd.SUFFIX + "' not found: 32"), logs.all());
        }
        try (LookupTable t = open(aliases().replace("search_base = " + Slapd.SUFFIX, "search_base = ou=%d," + Slapd.SUFFIX)
                + "query_filter = (uid=%u)\n")) {
            assertNull(t.lookup("dave@nowhere.example"));
            assertEquals("dave@mail.example.org", t.lookup("dave@example.org"));
        }
    }

    @Test
    void serverThatAcceptsAndNeverAnswersIsRetryWithinTheTimeout() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (Exception ignored) {
                    // closed
                }
            });
            try (LookupTable dead = open("server_host = ldap://127.0.0.1:" + silent.getLocalPort() + "\nversion = 3\ntimeout = 1\n");
                 LookupTable live = open(aliases())) {
                long t0 = System.nanoTime();
                var e = assertThrows(TableException.class, () -> dead.lookup("alice@example.org"));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(Status.RETRY, e.status());
                assertTrue(ms >= 900 && ms < 3000, "RETRY after about the timeout (1 s): " + ms + " ms");
                // other tables are not held up meanwhile
                Thread blocked = Thread.ofPlatform().start(() -> assertThrows(TableException.class, () -> dead.lookup("bob@example.org")));
                long t1 = System.nanoTime();
                assertEquals("alice@mail.example.org", live.lookup("alice@example.org"));
                assertTrue((System.nanoTime() - t1) / 1_000_000 < 500, "a live table answers while another waits on a silent server");
                blocked.join();
                System.out.printf("ldap silent server: RETRY after %d ms (timeout = 1)%n", ms);
            }
            acceptor.interrupt();
        } finally {
            for (Socket s : held) s.close();
        }
    }

    /** Lookups at once on a server that never answers: how many connections it is offered. */
    private int connectionsFor(int lookups, String perConnection) throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (Exception ignored) {
                    // closed
                }
            });
            Path f = Files.createTempFile(dir, "silent", ".cf");
            // no bind: the connection is made at once, and each search then waits on it
            Files.writeString(f, "server_host = ldap://127.0.0.1:" + silent.getLocalPort() + "\nversion = 3\nbind = no\ntimeout = 2\n");
            OpenContext ctx = new OpenContext(false, 0, n -> n.equals("proxymap_ldap_searches_per_connection") ? perConnection : null,
                    resources);
            try (LookupTable t = new LdapType().open(f.toString(), ctx)) {
                List<Thread> threads = new java.util.ArrayList<>();
                AtomicInteger retries = new AtomicInteger();
                for (int i = 0; i < lookups; i++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            t.lookup("alice@example.org");
                        } catch (TableException e) {
                            if (e.status() == Status.RETRY) retries.incrementAndGet();
                        }
                    }));
                }
                for (Thread th : threads) th.join();
                assertEquals(lookups, retries.get(), "every lookup answers RETRY after the timeout");
            }
            return held.size();
        } finally {
            for (Socket s : held) s.close();
        }
    }

    @Test
    void searchesShareAConnectionUpToTheirLimitBeforeTheNextOpens() throws Exception {
        assertEquals(3, connectionsFor(10, "4"), "10 searches at once, 4 per connection");
        assertEquals(1, connectionsFor(10, null), "10 searches at once, 32 per connection (the default)");
        assertEquals(10, connectionsFor(10, "1"), "10 searches at once, one per connection");
    }

    @Test
    void searchesSharingOneConnectionEachGetTheirOwnAnswer() throws Exception {
        try (LookupTable t = open(aliases())) {
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new java.util.ArrayList<>();
            String[][] keys = {{"alice@example.org", "alice@mail.example.org"},
                               {"bob@example.org", "bob@mail.example.org,bob@backup.example.net,bob@de.example.org"},
                               {"nobody@example.org", null}};
            for (int i = 0; i < 24; i++) {
                String[] k = keys[i % keys.length];
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int j = 0; j < 100; j++) {
                        try {
                            String v = t.lookup(k[0]);
                            if (!java.util.Objects.equals(k[1], v)) wrong.add(k[0] + " -> " + v);
                        } catch (TableException e) {
                            wrong.add(k[0] + ": " + e.getMessage());
                        }
                    }
                }));
            }
            for (Thread th : threads) th.join();
            PoolStats info = resources.snapshot().values().stream().filter(r -> r instanceof LdapPool)
                    .map(r -> ((PooledResource) r).poolStats()).findFirst().orElseThrow();
            assertEquals(List.of(), List.copyOf(wrong));
            assertEquals(1, info.created(), "24 lookups at once fit on one connection: " + info);
        }
    }

    @Test
    void tablesWithTheSameServerAndBindShareOnePoolShownWithItsConnections() throws Exception {
        try (LookupTable a = open(aliases()); LookupTable b = open(aliases() + "result_attribute = mail\n")) {
            assertEquals("alice@mail.example.org", a.lookup("alice@example.org"));
            assertEquals("alice@example.org", b.lookup("alice@example.org"));
            List<PoolStats> pools = resources.snapshot().values().stream().filter(r -> r instanceof LdapPool)
                    .map(r -> ((PooledResource) r).poolStats()).toList();
            assertEquals(1, pools.size(), "one shared pool: " + pools);
            assertEquals(1, pools.get(0).created(), "one connection served both tables one after the other: " + pools);
            assertTrue(pools.get(0).target().contains(slapd.url()), pools.toString());
            try (LookupTable c = open(aliases() + "bind_dn = " + LdapFixture.READER_DN + "\nbind_pw = " + LdapFixture.READER_PW + "\n")) {
                assertEquals("alice@mail.example.org", c.lookup("alice@example.org"));
                assertEquals(2, resources.snapshot().values().stream().filter(r -> r instanceof LdapPool).count(), "another bind, another pool");
            }
        }
    }

    private String cf(String body) throws Exception {
        Path f = Files.createTempFile(dir, "p", ".cf");
        Files.writeString(f, body);
        return f.toString();
    }

    @Test
    void probeBindsAndSearchesTheBase() throws Exception {
        OpenContext ctx = new OpenContext(false, 0, n -> null, resources);
        assertEquals(List.of(), new LdapType().probe(cf(aliases()), ctx));
        List<String> p = new LdapType().probe(cf(aliases() + "bind_dn = " + LdapFixture.READER_DN + "\nbind_pw = nope\n"), ctx);
        assertEquals(1, p.size());
        assertTrue(p.get(0).contains("Unable to bind") && p.get(0).contains("49 (invalid credentials)"), p.toString());
        p = new LdapType().probe(cf(aliases().replace("search_base = " + Slapd.SUFFIX, "search_base = ou=nowhere," + Slapd.SUFFIX)), ctx);
        assertTrue(p.get(0).contains("search_base 'ou=nowhere," + Slapd.SUFFIX + "' not found: 32"), p.toString());
        p = new LdapType().probe(cf("server_host = ldap://127.0.0.1:" + Slapd.freePort() + "\ntimeout = 1\n"), ctx);
        assertTrue(p.get(0).contains("connect"), p.toString());
        assertTrue(resources.snapshot().isEmpty(), "probe leaves no pool behind: " + resources.snapshot().keySet());
    }

    @Test
    void connectionsCountInTheServiceWideCap() throws Exception {
        Path f = Files.createTempFile(dir, "cap", ".cf");
        Files.writeString(f, aliases());
        OpenContext ctx = new OpenContext(false, 0, n -> n.equals("proxymap_sql_max_connections") ? "2" : null, resources);
        try (LookupTable t = new LdapType().open(f.toString(), ctx)) {
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int j = 0; j < 50; j++) {
                        try {
                            if (!"alice@mail.example.org".equals(t.lookup("alice@example.org"))) wrong.add("value");
                        } catch (TableException e) {
                            wrong.add(e.getMessage());
                        }
                    }
                }));
            }
            for (Thread th : threads) th.join();
            PoolStats info = resources.snapshot().values().stream().filter(r -> r instanceof LdapPool)
                    .map(r -> ((PooledResource) r).poolStats()).findFirst().orElseThrow();
            assertEquals(List.of(), List.copyOf(wrong));
            assertEquals(2, info.maxTotal());
            assertTrue(info.created() <= 2 && info.created() >= 1, "at most the cap's connections: " + info);
            assertEquals(0, info.active());
        }
    }

    @Test
    void keysAreTheClientsBytesUtf8OrNotLookedUp() throws Exception {
        try (LookupTable t = open(aliases())) {
            // "jürgen@example.org" as the client sends it: UTF-8 bytes, one ISO-8859-1 char each
            String utf8 = new String("j\u00fcrgen@example.org".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            assertEquals(new String("j\u00fcrgen@mail.example.org".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    java.nio.charset.StandardCharsets.ISO_8859_1), t.lookup(utf8), "values are the directory's bytes");
            // a Latin-1 byte that is not UTF-8: not found, as Postfix skips such keys
            assertNull(t.lookup("j\u00fcrgen@example.org"));
        }
    }
}
