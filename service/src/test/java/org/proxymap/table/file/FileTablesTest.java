package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.table.Keys;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableRegistry;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/** lmdb: and cdb: files made by the real postmap, read by us; and our lmdb writes read by postmap. */
class FileTablesTest {
    static final OpenContext READ = new OpenContext(false, 0, k -> null, null);
    static final OpenContext WRITE = new OpenContext(true, 0, k -> null, null);

    /** A postmap source: 1500 entries with mixed case, UTF-8, long values and a quoted key. */
    static String source(Random r, List<String> keys, String tag) {
        StringBuilder sb = new StringBuilder("# generated\n");
        for (int i = 0; i < 1500; i++) {
            String k = List.of("user", "User", "ÜSER", "x.y", "MiXeD", "é", "a-b_c").get(r.nextInt(7)) + i + "@Example"
                    + List.of(".com", ".ORG", ".ünï").get(r.nextInt(3));
            k = Differential.bytes(k);
            keys.add(k);
            sb.append(k).append('\t').append(tag).append(i).append(r.nextInt(10) == 0 ? " with  spaces ünï" : "")
                    .append(r.nextInt(50) == 0 ? "x".repeat(3000) : "").append('\n');
        }
        sb.append("\"quoted key\" quoted\n");
        keys.add("\"quoted key\""); // Postfix 3.7 keeps the quotes in the stored key
        return sb.toString();
    }

    static List<String> probes(Random r, List<String> keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            out.add(k);
            if (r.nextInt(3) == 0) out.add(k.toUpperCase());
            if (r.nextInt(5) == 0) out.add(k + "x");
        }
        out.add("absent");
        return out;
    }

    /** postmap -q folds the query key (ASCII only with smtputf8 off); the dispatcher does that for us. */
    static List<String> diff(String table, Map<String, String> postmap, LookupTable ours, List<String> probes) throws Exception {
        List<String> d = new ArrayList<>();
        for (String k : probes) {
            String e = postmap.get(k);
            String a = ours.lookup(Keys.asciiLower(k));
            if (e == null ? a != null : !e.equals(a)) d.add(table + " " + Differential.show(k) + " postmap=" + Differential.show(e) + " ours=" + Differential.show(a));
        }
        return d;
    }

    void readsPostmapFiles(String type, org.proxymap.table.TableType tt) throws Exception {
        Postmap postmap = Postmap.create();
        Random r = new Random(type.hashCode());
        Path src = postmap.config().resolve(type + "-map");
        List<String> keys = new ArrayList<>();
        Files.writeString(src, source(r, keys, "v"), StandardCharsets.ISO_8859_1);
        Postmap.Result built = postmap.run("", type + ":" + src);
        assertEquals(0, built.exit(), built.stderr());
        List<String> probes = probes(r, keys);
        try (LookupTable ours = tt.open(src.toString(), READ)) {
            Map<String, String> expected = postmap.query(type + ":" + src, probes);
            assertTrue(expected.size() > 1500, "postmap found " + expected.size());
            assertEquals(List.of(), diff(type, expected, ours, probes));

            // sequence: every entry once
            Map<String, String> seq = new HashMap<>();
            for (Iterator<Map.Entry<String, String>> it = ours.entries(); it.hasNext(); ) {
                var e = it.next();
                seq.put(e.getKey(), e.getValue());
            }
            assertEquals(1501, seq.size());
            assertEquals("quoted", seq.get("\"quoted key\""));

            // postmap rebuilds the file: the same open table sees the new contents (cdb within
            // about a second: a file table checks its file at most once a second, WatchedFile)
            keys.clear();
            Files.writeString(src, source(r, keys, "w"), StandardCharsets.ISO_8859_1);
            built = postmap.run("", type + ":" + src);
            assertEquals(0, built.exit(), built.stderr());
            probes = probes(r, keys);
            expected = postmap.query(type + ":" + src, probes);
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (!diff(type, expected, ours, probes).isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(List.of(), diff(type, expected, ours, probes));
        }
    }

    @Test
    void cdbMadeByPostmapReadsTheSame() throws Exception {
        readsPostmapFiles("cdb", new CdbType());
    }

    @Test
    void lmdbMadeByPostmapReadsTheSame() throws Exception {
        readsPostmapFiles("lmdb", new LmdbType());
    }

    @Test
    void hashMadeByPostmapReadsTheSame() throws Exception {
        readsPostmapFiles("hash", new BerkeleyDbType.Hash());
    }

    @Test
    void btreeMadeByPostmapReadsTheSame() throws Exception {
        readsPostmapFiles("btree", new BerkeleyDbType.Btree());
    }

    @Test
    void lmdbWritesArePostfixFormat() throws Exception {
        Postmap postmap = Postmap.create();
        Path map = postmap.config().resolve("cache");
        try (LookupTable t = new LmdbType().open(map.toString(), WRITE)) {
            t.update("k1", "v1");
            t.update("k2", "v 2");
            t.update("k1", "v1b");
            assertTrue(t.delete("k2"));
            assertEquals(false, t.delete("k2"));
            assertEquals("v1b", t.lookup("k1"));
        }
        assertEquals(Map.of("k1", "v1b"), postmap.query("lmdb:" + map, List.of("k1", "k2")));
        // and postmap -s (sequence) shows the NUL convention is Postfix's: no stray bytes
        Postmap.Result seq = postmap.run("", "-s", "lmdb:" + map);
        assertEquals("k1\tv1b\n", seq.stdout());
        // postmap -d / writes by postmap are visible to us
        assertEquals(0, postmap.run("", "-d", "k1", "lmdb:" + map).exit());
        try (LookupTable t = new LmdbType().open(map.toString(), READ)) {
            assertEquals(null, t.lookup("k1"));
        }
    }

    @Test
    void proxywriteUpdateThroughServerIsVisibleToPostmap() throws Exception {
        Postmap postmap = Postmap.create();
        Path dir = TestServer.newConfig("proxy_write_maps = proxy:lmdb:${config_directory}/verify\n"
                + "proxy_read_maps = proxy:cdb:${config_directory}/ro $proxy_write_maps");
        Path map = dir.resolve("etc/verify");
        Path ro = dir.resolve("etc/ro");
        Files.writeString(ro, "Key value\n");
        assertEquals(0, postmap.run("", "cdb:" + ro).exit());
        try (TestServer s = TestServer.start(dir); WireClient c = WireClient.connect(s.proxywrite())) {
            String t = "lmdb:" + map;
            AttrList reply = c.call("request", "open", "table", t, "flags", "0");
            // FIXED | MULTI_WRITER | TRY0NULL | TRY1NULL, as Postfix 3.7 answers (transcript 12-lmdb-hit)
            assertEquals("status\\00\\0flags\\0" + 262172 + "\\0\\0", WireClient.escaped(reply));
            reply = c.call("request", "update", "table", t, "flags", "0", "key", "user@example.com", "value", "0:1:2:ok");
            assertEquals("status\\00\\0\\0", WireClient.escaped(reply));
            assertEquals(Map.of("user@example.com", "0:1:2:ok"), postmap.query(t, List.of("user@example.com")));

            // the same data through proxymap, as Postfix's own client sees it: postmap -q proxy:...
            Postmap.Result viaProxy = Postmap.at(s.etc).run("user@example.com\nnope\n", "-q", "-", "proxy:" + t);
            assertEquals("user@example.com\t0:1:2:ok\n", viaProxy.stdout(), viaProxy.stderr());
            viaProxy = Postmap.at(s.etc).run("KEY\n", "-q", "-", "proxy:cdb:" + ro);
            assertEquals("KEY\tvalue\n", viaProxy.stdout(), viaProxy.stderr());

            // sequence, as postscreen's and verify's cache cleanup walk the cache
            c.call("request", "update", "table", t, "flags", "0", "key", "other@example.com", "value", "x");
            java.util.Set<String> seen = new java.util.TreeSet<>();
            reply = c.call("request", "sequence", "table", t, "flags", "0", "function", "0");
            while (WireClient.escaped(reply).startsWith("status\\00\\0")) {
                seen.add(WireClient.escaped(reply));
                reply = c.call("request", "sequence", "table", t, "flags", "0", "function", "1");
            }
            assertEquals(java.util.Set.of("status\\00\\0key\\0other@example.com\\0value\\0x\\0\\0",
                    "status\\00\\0key\\0user@example.com\\0value\\00:1:2:ok\\0\\0"), seen);

            reply = c.call("request", "delete", "table", t, "flags", "0", "key", "user@example.com");
            assertEquals("status\\00\\0\\0", WireClient.escaped(reply));
            assertEquals(Map.of(), postmap.query(t, List.of("user@example.com")));
        }
    }

    @Test
    void lmdbReadersAndWritersInOneJvmAndPostmapAtOnce() throws Exception {
        Postmap postmap = Postmap.create();
        Path map = postmap.config().resolve("busy");
        try (LookupTable w = new LmdbType().open(map.toString(), WRITE);
             LookupTable r = new LmdbType().open(map.toString(), READ)) {
            w.update("seed", "0");
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int n = 0; n < 4; n++) {
                int id = n;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < 200; i++) {
                            if (id % 2 == 0) w.update("k" + id + "-" + i, "v" + i);
                            else assertEquals("0", r.lookup("seed"));
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            Map<String, String> meanwhile = postmap.query("lmdb:" + map, List.of("seed"));
            for (Thread t : threads) t.join();
            assertEquals(List.of(), errors);
            assertEquals(Map.of("seed", "0"), meanwhile);
            assertEquals("v199", r.lookup("k2-199"));
            assertEquals(Map.of("k0-5", "v5"), postmap.query("lmdb:" + map, List.of("k0-5")));
        }
    }

    @Test
    void dbmIsRefusedWithTheAlternatives() throws Exception {
        try (TableRegistry reg = new TableRegistry(k -> null)) {
            var h = reg.acquire("dbm:/etc/aliases", false, 0);
            try {
                var e = org.junit.jupiter.api.Assertions.assertThrows(org.proxymap.table.TableException.class,
                        () -> h.table().lookup("x"));
                assertEquals(org.proxymap.protocol.Status.RETRY, e.status());
                assertTrue(e.getMessage().contains("lmdb:, cdb: or texthash:"), e.getMessage());
            } finally {
                h.release();
            }
        }
    }
}
