package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.table.sql.LogCapture;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;
import org.proxymap.testing.WireClient;

/**
 * hash:, btree: (and lmdb:) files built by Debian's real postmap, queried with the real
 * {@code postmap -q - proxy:TYPE:FILE} through the REAL Postfix 3.7 proxymap and through ours:
 * the same output and exit code. proxywrite updates, deletes and sequences through both
 * servers, each on its own cache file: the same replies, and files that real postmap reads
 * the same way.
 */
class BerkeleyDbInteropTest {
    private static final int SECONDS = 60;
    private static final int ENTRIES = 3000;
    private static Path tables;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static String probes;

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        tables = Files.createTempDirectory(Path.of("/tmp"), "bdbtab");
        Path maps = tables.resolve("maps");
        Path etc = tables.resolve("etc");
        for (Path d : new Path[] {maps, etc, tables.resolve("theirs"), tables.resolve("ours")}) Files.createDirectories(d);
        Files.writeString(etc.resolve("main.cf"), "compatibility_level = 3.6\n");
        Random r = new Random(13);
        StringBuilder src = new StringBuilder("# built by BerkeleyDbInteropTest\n");
        StringBuilder q = new StringBuilder();
        String[] stems = {"user", "User", "ÜSER", "x.y", "MiXeD", "é", "a-b_c", "Ärger", "日本"};
        for (int i = 0; i < ENTRIES; i++) {
            String k = stems[r.nextInt(stems.length)] + i + "@Example" + List.of(".com", ".ORG", ".ünï").get(r.nextInt(3));
            String v = "target" + i + (r.nextInt(4) == 0 ? ", second" + i + "@example.net" : "")
                    + (r.nextInt(8) == 0 ? " with  spaces ünï" : "") + (r.nextInt(40) == 0 ? " " + "x".repeat(3000 + i) : "");
            src.append(k).append('\t').append(v).append('\n');
            q.append(k).append('\n');
            if (r.nextInt(3) == 0) q.append(k.toUpperCase()).append('\n');
            if (r.nextInt(5) == 0) q.append(k).append("x\n");
        }
        src.append("\"quoted key\" quoted value\n");
        q.append("\"quoted key\"\nquoted key\nabsent@example.com\n");
        probes = q.toString();
        Files.writeString(maps.resolve("big"), src);
        Files.writeString(maps.resolve("hbig"), src);
        Files.writeString(maps.resolve("other"), "only key\n");
        for (String type : new String[] {"hash", "btree", "lmdb"}) {
            Postmap.Result built = Postmap.run(etc, null, SECONDS, type + ":" + maps.resolve(big(type)));
            assertEquals(0, built.exit(), built.stderr());
        }
        // a hash file that a btree: table names: the wrong format
        Postmap.Result built = Postmap.run(etc, null, SECONDS, "hash:" + maps.resolve("other"));
        assertEquals(0, built.exit(), built.stderr());
        for (Path d : new Path[] {tables, maps, etc}) Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (var files = Files.list(maps)) {
            for (Path f : files.toList()) Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        // Postfix's proxywrite runs as the postfix user: its cache directory must be its own
        new ProcessBuilder("chown", "postfix", tables.resolve("theirs").toString()).start().waitFor();
        postfix = PostfixReference.start(maps("theirs"));
        ours = TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps("ours")));
    }

    private static String maps(String writeDir) {
        String m = tables + "/maps/";
        String w = tables + "/" + writeDir + "/";
        return "proxy_read_maps = proxy:hash:" + m + "hbig proxy:btree:" + m + "big proxy:hash:" + m + "missing"
                + " proxy:btree:" + m + "other proxy:lmdb:" + m + "big $proxy_write_maps\n"
                + "proxy_write_maps = proxy:btree:" + w + "cache proxy:hash:" + w + "hcache\n";
    }

    /** The source of each type's big table: hash: and btree: of one name would share NAME.db. */
    private static String big(String type) { return type.equals("hash") ? "hbig" : "big"; }

    /** The first difference of two lists, for a readable failure. */
    private static void sameList(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "reply " + i);
        }
        assertEquals(expected.size(), actual.size());
    }

    @AfterAll
    static void stop() throws Exception {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        if (tables != null) Trees.delete(tables);
    }

    /** postmap against both servers at once: the same exit code and output (directories aside). */
    private static Postmap.Result both(String stdin, String... args) {
        return bothWith(ours, stdin, args);
    }

    /** The same, with {@code server} as ours. */
    private static Postmap.Result bothWith(TestServer server, String stdin, String... args) {
        CompletableFuture<Postmap.Result> theirs = CompletableFuture.supplyAsync(() -> run(postfix.etc, postfix.dir, stdin, args),
                java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory()));
        Postmap.Result mine = run(server.etc, server.dir, stdin, args);
        assertEquals(theirs.join(), mine, "postmap " + String.join(" ", args) + " through Postfix's proxymap vs ours");
        return mine;
    }

    private static Postmap.Result run(Path etc, Path dir, String stdin, String... args) {
        try {
            return Postmap.run(etc, stdin, SECONDS, args).normalized(dir);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    @Test
    void thousandsOfKeysAnswerAsPostfixDoes() {
        // lmdb too: -n finds nothing there either (issue 21: ours tried both forms whatever the flags)
        for (String type : new String[] {"hash", "btree", "lmdb"}) {
            String table = "proxy:" + type + ":" + tables + "/maps/" + big(type);
            Postmap.Result r = both(probes, "-q", "-", table);
            assertEquals(0, r.exit(), r.stderr());
            assertTrue(r.stdout().lines().count() > ENTRIES, type + ": " + r.stdout().lines().count() + " hits");
            assertTrue(r.stdout().contains("x".repeat(3000)), "multi-KB values");
            // -N: only the key with its NUL (as written); -n: only without, which postmap never writes
            assertEquals(r, both(probes, "-N", "-q", "-", table));
            Postmap.Result none = both(probes, "-n", "-q", "-", table);
            assertEquals(1, none.exit(), none.toString());
            assertEquals("", none.stdout());
        }
    }

    /**
     * The same keys once a server of ours has read its hash: and btree: tables into memory
     * (ResidentCopy, logged when done): the copy answers as Postfix's proxymap reading the file.
     */
    @Test
    void thousandsOfKeysFromMemoryAnswerAsPostfixDoes() throws Exception {
        try (LogCapture log = new LogCapture();
             TestServer mem = TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps("ours")))) {
            for (String type : new String[] {"hash", "btree"}) {
                String file = tables + "/maps/" + big(type);
                String table = "proxy:" + type + ":" + file;
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                while (log.count("table " + type + ":" + file + ".db: ") == 0) { // "...: N entries read into memory"
                    assertTrue(System.nanoTime() < deadline, type + " was not read into memory within 20 s:\n" + log.all());
                    run(mem.etc, mem.dir, "absent@example.com\n", "-q", "-", table); // a lookup starts the read when due
                    Thread.sleep(50);
                }
                Postmap.Result r = bothWith(mem, probes, "-q", "-", table);
                assertEquals(0, r.exit(), r.stderr());
                assertTrue(r.stdout().lines().count() > ENTRIES, type + ": " + r.stdout().lines().count() + " hits");
            }
        }
    }

    @Test
    void missingAndWrongFormatFilesFailAsPostfix() {
        Postmap.Result r = both(null, "-q", "x", "proxy:hash:" + tables + "/maps/missing");
        assertEquals(1, r.exit());
        r = both(null, "-q", "only", "proxy:btree:" + tables + "/maps/other");
        assertEquals(1, r.exit());
        assertTrue(r.stderr().contains("query error"), r.stderr());
    }

    /** proxywrite requests as postscreen and verify send them (DUP_REPLACE | SYNC_UPDATE), on both servers. */
    private static List<String> writes(Path socket, String table) throws Exception {
        List<String> replies = new ArrayList<>();
        try (WireClient c = WireClient.connect(socket)) {
            replies.add(WireClient.escaped(c.call("request", "open", "table", table, "flags", "0")));
            for (int i = 0; i < 300; i++) {
                String key = (i % 3 == 0 ? "Client" : "client") + i + "@example.com";
                AttrList a = c.call("request", "update", "table", table, "flags", "384", "key", key,
                        "value", i + ":" + (i * 7) + ":0:" + (i % 11 == 0 ? "x".repeat(2000) : "ok, fine"));
                replies.add(WireClient.escaped(a));
            }
            for (int i = 0; i < 300; i += 4) {
                replies.add(WireClient.escaped(c.call("request", "delete", "table", table, "flags", "256",
                        "key", "client" + i + "@example.com")));
            }
            replies.add(WireClient.escaped(c.call("request", "lookup", "table", table, "flags", "64", "key", "client5@example.com")));
            AttrList s = c.call("request", "sequence", "table", table, "flags", "64", "function", "0");
            int n = 0;
            while (WireClient.escaped(s).startsWith("status\\00\\0")) {
                replies.add(WireClient.escaped(s));
                n++;
                s = c.call("request", "sequence", "table", table, "flags", "64", "function", "1");
            }
            replies.add(WireClient.escaped(s));
            assertTrue(n > 200, "sequence returned " + n);
        }
        return replies;
    }

    @Test
    void proxywriteAsPostfixAndFilesPostmapReads() throws Exception {
        for (String type : new String[] {"btree", "hash"}) {
            String name = type.equals("btree") ? "cache" : "hcache";
            List<String> theirs = writes(postfix.proxywrite(), type + ":" + tables + "/theirs/" + name);
            List<String> mine = writes(ours.proxywrite(), type + ":" + tables + "/ours/" + name);
            if (type.equals("btree")) {
                sameList(theirs, mine);
            } else { // hash order depends on the file's history: compare as sets
                sameList(theirs.stream().sorted().toList(), mine.stream().sorted().toList());
            }
            // real postmap reads our file exactly as it reads Postfix's
            Path etc = tables.resolve("etc");
            Postmap.Result t = Postmap.run(etc, null, SECONDS, "-s", type + ":" + tables + "/theirs/" + name);
            Postmap.Result o = Postmap.run(etc, null, SECONDS, "-s", type + ":" + tables + "/ours/" + name);
            assertEquals(0, o.exit(), o.stderr());
            assertEquals(sorted(t.stdout()), sorted(o.stdout()));
            assertEquals(250, o.stdout().lines().count()); // 300 updates, 75 deletes of which 25 name a "Client" key (not folded)
            // and the reverse: what postmap adds and deletes in our file, ours serves at once
            String file = type + ":" + tables + "/ours/" + name;
            assertEquals(0, Postmap.run(etc, "added@example.com by postmap\n", SECONDS, "-i", file).exit());
            assertEquals(0, Postmap.run(etc, null, SECONDS, "-d", "client1@example.com", file).exit());
            try (WireClient c = WireClient.connect(ours.proxywrite())) {
                assertEquals("status\\00\\0value\\0by postmap\\0\\0", WireClient.escaped(
                        c.call("request", "lookup", "table", file, "flags", "64", "key", "added@example.com")));
                assertEquals("status\\01\\0value\\0\\0\\0", WireClient.escaped(
                        c.call("request", "lookup", "table", file, "flags", "64", "key", "client1@example.com")));
            }
        }
    }

    private static List<String> sorted(String lines) { return lines.lines().sorted().toList(); }
}
