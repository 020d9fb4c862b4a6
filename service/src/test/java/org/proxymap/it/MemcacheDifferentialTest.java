package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.Memcached;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;
import org.proxymap.testing.WireClient;

/**
 * memcache tables through the socket: Debian's {@code postmap} against the REAL Postfix 3.7
 * proxymap (memcache is built into Postfix) and against ours, with one throwaway memcached.
 * Each side starts from the same memcache contents (flushed and seeded before each run), so
 * both meet the same hits, misses and backup fall-throughs; the output, the exit code and
 * what each side wrote back into memcache must be the same.
 */
class MemcacheDifferentialTest {
    private static final int POSTMAP_SECONDS = 60;
    private static Path tables;
    private static Memcached mc;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static final Map<String, String> SEED = new LinkedHashMap<>();
    private static final Map<String, String> BACKUP = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        mc = Memcached.start();
        tables = Files.createTempDirectory(Path.of("/tmp"), "pmmc");
        Files.setPosixFilePermissions(tables, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (int i = 0; i < 100; i++) SEED.put("cached" + i + "@example.com", "mc-value-" + i);
        for (int i = 0; i < 20; i++) SEED.put("both" + i + "@example.com", "from-memcache-" + i);
        for (int i = 0; i < 20; i++) SEED.put("pfx-fmt" + i + "-at-example.com", "formatted-" + i);
        for (int i = 0; i < 100; i++) BACKUP.put("backup" + i + "@example.com", "backup-value-" + i + "@example.net");
        for (int i = 0; i < 20; i++) BACKUP.put("both" + i + "@example.com", "from-backup-" + i);
        BACKUP.put("long@example.com", "x".repeat(100));
        BACKUP.put("comma@example.com", "a@example.net, b@example.net");
        StringBuilder backup = new StringBuilder();
        BACKUP.forEach((k, v) -> backup.append(k).append('\t').append(v).append('\n'));
        Files.writeString(tables.resolve("backup"), backup);
        int dead;
        try (var s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        String b = "backup = texthash:" + tables.resolve("backup") + "\n";
        write("plain.cf", "memcache = " + mc.endpoint() + "\n" + b);
        write("nobackup.cf", "memcache = " + mc.endpoint() + "\n");
        write("format.cf", "memcache = " + mc.endpoint() + "\nkey_format = pfx-%u-at-%d\ndomain = example.com\n" + b);
        write("small.cf", "memcache = " + mc.endpoint() + "\ndata_size_limit = 20\n" + b);
        write("down.cf", "memcache = inet:127.0.0.1:" + dead + "\n" + b);
        write("downonly.cf", "memcache = inet:127.0.0.1:" + dead + "\n");
        write("rw.cf", "memcache = " + mc.endpoint() + "\nkey_format = rw-%s\n");
        write("rwb.cf", "memcache = " + mc.endpoint() + "\nkey_format = rwb-%s\nbackup = proxy:lmdb:" + tables.resolve("rwcache") + "\n");
        try (var files = Files.list(tables)) {
            for (Path f : files.toList()) Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        StringBuilder maps = new StringBuilder("proxy_read_maps =");
        for (String cf : List.of("plain.cf", "nobackup.cf", "format.cf", "small.cf", "down.cf", "downonly.cf")) {
            maps.append(" proxy:memcache:").append(tables.resolve(cf));
        }
        maps.append(" $proxy_write_maps\nproxy_write_maps = proxy:memcache:").append(tables.resolve("rw.cf"))
                .append(" proxy:memcache:").append(tables.resolve("rwb.cf")).append('\n');
        postfix = PostfixReference.start(maps.toString());
        ours = TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps));
    }

    private static void write(String name, String body) throws Exception {
        Files.writeString(tables.resolve(name), body);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        if (mc != null) mc.close();
        if (tables != null) Trees.delete(tables);
    }

    private static String table(String cf) { return "proxy:memcache:" + tables.resolve(cf); }

    /** Every key a test may touch, in memcache's spelling. */
    private static final java.util.Set<String> TOUCHED = new java.util.LinkedHashSet<>();

    private static void seed() throws Exception {
        mc.reset(TOUCHED, SEED);
    }

    private static void touch(List<String> keys) {
        for (String k : keys) if (!k.isEmpty() && k.chars().noneMatch(c -> c <= ' ')) TOUCHED.add(k);
    }

    /** What each side left in memcache for {@code keys}. */
    private static Map<String, String> snapshot(List<String> keys) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : keys) {
            if (k.isEmpty() || k.chars().anyMatch(c -> c <= ' ')) continue;
            String v = mc.get(k);
            if (v != null) m.put(k, v);
        }
        return m;
    }

    /** The same postmap run against each server in turn, each from freshly seeded memcache contents. */
    private static Postmap.Result both(List<String> watch, String stdin, String... args) throws Exception {
        touch(watch);
        seed();
        Postmap.Result theirs = Postmap.run(postfix.etc, stdin, POSTMAP_SECONDS, args).normalized(postfix.dir);
        Map<String, String> theirCache = snapshot(watch);
        seed();
        Postmap.Result mine = Postmap.run(ours.etc, stdin, POSTMAP_SECONDS, args).normalized(ours.dir);
        Map<String, String> myCache = snapshot(watch);
        assertEquals(theirs, mine, "postmap " + String.join(" ", args) + " through Postfix's proxymap vs ours");
        assertEquals(theirCache, myCache, "memcache contents after postmap " + String.join(" ", args));
        return mine;
    }

    /** A fresh, empty lmdb backup that Postfix's proxywrite (user postfix) may write. */
    private static void freshBackup() throws Exception {
        Path src = tables.resolve("rwcache");
        Files.deleteIfExists(tables.resolve("rwcache.lmdb"));
        Files.writeString(src, "seed@example.com seeded\n");
        for (String[] cmd : new String[][] {{"/usr/sbin/postmap", "-c", postfix.etc.toString(), "lmdb:" + src}, {"chown", "postfix", src + ".lmdb"}}) {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
        }
    }

    /** The lmdb backup's entries as Postfix's postmap reads them. */
    private static String backupContents() throws Exception {
        return Postmap.run(postfix.etc, null, POSTMAP_SECONDS, "-s", "lmdb:" + tables.resolve("rwcache")).stdout();
    }

    @Test
    void proxywriteWithAWritableBackup() throws Exception {
        String rwb = "memcache:" + tables.resolve("rwb.cf");
        List<String> watch = List.of("rwb-k1@example.com", "rwb-k2@example.com", "rwb-seed@example.com");
        touch(watch);
        String flags = Integer.toString(0x4000 | 0x40);
        List<String> runs = new ArrayList<>();
        for (Path socket : new Path[] {postfix.proxywrite(), ours.proxywrite()}) {
            seed();
            freshBackup();
            StringBuilder sb = new StringBuilder();
            try (WireClient c = WireClient.connect(socket)) {
                String[][] requests = {
                        {"request", "update", "table", rwb, "flags", flags, "key", "k1@example.com", "value", "v1"},
                        {"request", "update", "table", rwb, "flags", flags, "key", "K2@example.com", "value", "v2"},
                        {"request", "lookup", "table", rwb, "flags", flags, "key", "seed@example.com"},
                        {"request", "lookup", "table", rwb, "flags", flags, "key", "k1@example.com"},
                        {"request", "delete", "table", rwb, "flags", flags, "key", "k1@example.com"},
                        {"request", "delete", "table", rwb, "flags", flags, "key", "k1@example.com"},
                        {"request", "delete", "table", rwb, "flags", flags, "key", "nobody@example.com"},
                        {"request", "sequence", "table", rwb, "flags", flags, "function", "0"},
                        {"request", "sequence", "table", rwb, "flags", flags, "function", "1"},
                        {"request", "sequence", "table", rwb, "flags", flags, "function", "1"},
                };
                for (String[] q : requests) sb.append(q[1]).append(' ').append(q[7]).append(" -> ").append(WireClient.escaped(c.call(q))).append('\n');
            }
            sb.append("memcache: ").append(snapshot(watch)).append("\nbackup:\n").append(backupContents());
            runs.add(sb.toString());
        }
        assertEquals(runs.get(0), runs.get(1), "proxywrite with an lmdb backup: Postfix, then ours");
        assertTrue(runs.get(1).contains("k2@example.com\tv2"), runs.get(1));
        System.out.println("proxywrite with a backup through both:\n" + runs.get(1));
    }

    static List<String> keys() {
        List<String> k = new ArrayList<>();
        for (int i = 0; i < 110; i++) k.add((i % 5 == 0 ? "CACHED" : "cached") + i + "@example.com");
        for (int i = 0; i < 110; i++) k.add((i % 6 == 0 ? "Backup" : "backup") + i + "@example.com");
        for (int i = 0; i < 22; i++) k.add("both" + i + "@example.com");
        for (int i = 0; i < 22; i++) k.add("fmt" + i + "@example.com");
        k.addAll(List.of("long@example.com", "comma@example.com", "has space@example.com", "tab\there@example.com",
                "nobody@example.com", "fmt1@other.example", "fmt1", "@example.com", "x@", "a@b@example.com",
                "pfx-fmt1-at-example.com", "%s", "ünïcode@example.com"));
        return k;
    }

    @Test
    void hundredsOfLookupsPerTable() throws Exception {
        String stdin = String.join("\n", keys()) + "\n";
        List<String> watch = new ArrayList<>(keys());
        for (String k : keys()) watch.add(k.toLowerCase(java.util.Locale.ROOT));
        for (int i = 0; i < 22; i++) watch.add("pfx-fmt" + i + "-at-example.com");
        int asked = 0;
        for (String cf : List.of("plain.cf", "nobackup.cf", "format.cf", "small.cf", "down.cf")) {
            Postmap.Result r = both(watch, stdin, "-q", "-", table(cf));
            assertEquals(0, r.exit(), cf + ": " + r);
            System.out.println(cf + ": " + r.stdout().lines().count() + " hits of " + keys().size() + " keys, identical; e.g. "
                    + r.stdout().lines().filter(l -> l.startsWith("both1") || l.startsWith("long") || l.startsWith("Backup6")).toList());
            asked += keys().size();
        }
        assertTrue(asked >= 1000, "lookups per side: " + asked);
    }

    @Test
    void singleKeysExitCodesAndErrors() throws Exception {
        List<String> watch = List.of("backup3@example.com", "long@example.com", "cached3@example.com");
        for (String cf : List.of("plain.cf", "nobackup.cf", "small.cf", "down.cf", "downonly.cf", "format.cf")) {
            for (String key : List.of("cached3@example.com", "backup3@example.com", "nobody@example.com", "long@example.com",
                    "has space")) {
                both(watch, null, "-q", key, table(cf));
            }
        }
        Postmap.Result down = both(watch, null, "-q", "backup3@example.com", table("downonly.cf"));
        assertEquals(1, down.exit());
        assertTrue(down.stderr().contains("query error"), down.stderr());
    }

    @Test
    void proxywriteUpdateAndDelete() throws Exception {
        List<String> watch = List.of("rw-k1@example.com", "rw-k2@example.com", "rw-" + "v".repeat(10));
        String rw = "memcache:" + tables.resolve("rw.cf");
        List<List<String>> requests = List.of(
                List.of("update", "k1@example.com", "value-1"),
                List.of("update", "K2@Example.com", "value-2"),
                List.of("update", "with space", "v"),
                List.of("update", "big@example.com", "x".repeat(20_000)),
                List.of("delete", "k1@example.com", ""),
                List.of("delete", "k1@example.com", ""),
                List.of("delete", "with space", ""));
        touch(watch);
        touch(List.of("rw-big@example.com", "rw-K2@Example.com"));
        List<String> replies = new ArrayList<>();
        for (Path socket : new Path[] {postfix.proxywrite(), ours.proxywrite()}) {
            seed();
            StringBuilder sb = new StringBuilder();
            try (WireClient c = WireClient.connect(socket)) {
                for (List<String> q : requests) {
                    AttrList r = q.get(0).equals("update")
                            ? c.call("request", "update", "table", rw, "flags", Integer.toString(0x4000 | 0x40), "key", q.get(1), "value", q.get(2))
                            : c.call("request", "delete", "table", rw, "flags", Integer.toString(0x4000 | 0x40), "key", q.get(1));
                    sb.append(q.get(0)).append(' ').append(q.get(1)).append(" -> ").append(WireClient.escaped(r)).append('\n');
                }
            }
            sb.append(snapshot(watch)).append('|').append(mc.get("rw-k2@example.com")).append('|').append(mc.get("rw-big@example.com"));
            replies.add(sb.toString());
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertEquals(replies.get(0), replies.get(1), "proxywrite replies and memcache contents: Postfix, then ours");
        assertTrue(replies.get(1).contains("value-2"), replies.get(1));
        System.out.println("proxywrite through both:\n" + replies.get(1));
        Postmap.Result d = both(watch, null, "-d", "k9@example.com", "proxy:" + rw);
        assertEquals(1, d.exit(), d.toString());
    }
}
