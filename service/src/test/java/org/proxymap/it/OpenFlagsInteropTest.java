package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * Table-open flags through the proxy, dialect B: Debian's real {@code postmap} with
 * {@code -f}, {@code -n}, {@code -N} and none, single keys and {@code -q -} with mixed-case
 * keys and keys that differ only in case, through the REAL Postfix 3.7 proxymap and through
 * ours; stdout, stderr and exit must be the same. Every type whose opening or matching the
 * flags could change: texthash (case, case-duplicates, an exact duplicate), inline, cdb
 * built by postmap with and without NUL and folding, regexp and pcre (case-sensitive rules
 * too), cidr, static, unix. Each is asked by a client with SMTPUTF8 on (the client folds the
 * key) and off (the client sends {@code fold_fix} and the server folds).
 */
class OpenFlagsInteropTest {
    private static Path tables;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static Path theirsNoEai;
    private static Path oursNoEai;
    private static final List<String> TABLES = new ArrayList<>();

    private static final String KEYS = String.join("\n", "MixedCase@Example.COM", "mixedcase@example.com", "Dup@Example.com",
            "dup@example.com", "DUP@EXAMPLE.COM", "lower@example.com", "LOWER@EXAMPLE.COM", "UPPER@EXAMPLE.COM",
            "upper@example.com", "exact", "EXACT", "Mixed", "mixed", "MIXED", "root", "ROOT", "192.0.2.1", "2001:DB8::1",
            "2001:db8::1", "Cased", "cased", "k1", "K1", "dupkey") + "\n";

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        tables = Files.createTempDirectory(Path.of("/tmp"), "oftab");
        Files.setPosixFilePermissions(tables, PosixFilePermissions.fromString("rwxr-xr-x"));
        write("th", """
                MixedCase@Example.COM mixed-value
                Dup@Example.com dup-upper-first
                dup@example.com dup-lower-second
                lower@example.com lower-value
                UPPER@EXAMPLE.COM upper-value
                """);
        write("thdup", "exact first\nexact second\nother value\n");
        write("rx", "/^Mixed$/ rx-mixed-$0\n/^cased$/i rx-case-sensitive\n/^(.*)@example\\.com$/ rx-$1\n");
        write("pcre", "/^Mixed$/ pcre-mixed\n/^cased$/i pcre-case-sensitive\n/^(.*)@example\\.com$/ pcre-$1\n");
        write("cidr", "192.0.2.0/24 cidr-v4\n2001:db8::/32 cidr-v6\n");
        for (String db : List.of("cdef", "cnul", "cfix")) write(db, "k1 v1\nMixedKey mixed-cdb\nlower lower-cdb\nMixed m-cdb\n");
        StringBuilder maps = new StringBuilder("proxy_read_maps =");
        for (String t : List.of("texthash:" + tables + "/th", "texthash:" + tables + "/thdup", "regexp:" + tables + "/rx",
                "pcre:" + tables + "/pcre", "cidr:" + tables + "/cidr", "cdb:" + tables + "/cdef", "cdb:" + tables + "/cnul",
                "cdb:" + tables + "/cfix", "inline:{ Mixed=first, mixed=second, {Cased = with space}, dupkey=one, dupkey=two }",
                "static:{Some Value}", "unix:passwd.byname")) {
            TABLES.add("proxy:" + t);
            maps.append("\n    proxy:").append(t);
        }
        postfix = PostfixReference.start(maps + "\n");
        // cdb files built by the real postmap: folded without NUL, with NUL (-N), case kept (-f)
        build("cdef");
        build("-N", "cnul");
        build("-f", "cfix");
        ours = TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps + "\n"));
        theirsNoEai = noEai(postfix.etc);
        oursNoEai = noEai(ours.etc);
    }

    private static void write(String name, String content) throws Exception {
        Path f = tables.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static void build(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.set(a.size() - 1, "cdb:" + tables.resolve(a.getLast()));
        Postmap.Result r = Postmap.run(postfix.etc, null, 30, a.toArray(String[]::new));
        assertEquals(0, r.exit(), "postmap " + a + ": " + r);
        Path cdb = Path.of(tables.resolve(args[args.length - 1]) + ".cdb");
        Files.setPosixFilePermissions(cdb, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** A client configuration beside {@code etc} with SMTPUTF8 off: the client no longer folds keys itself. */
    private static Path noEai(Path etc) throws Exception {
        Path d = Files.createTempDirectory(Path.of("/tmp"), "ofnoeai");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(d.resolve("main.cf"), Files.readString(etc.resolve("main.cf")) + "\nsmtputf8_enable = no\n");
        return d;
    }

    @AfterAll
    static void stop() {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        for (Path p : new Path[] {tables, theirsNoEai, oursNoEai}) if (p != null) Trees.delete(p);
    }

    /** postmap with {@code args} through Postfix's proxymap and ours; the same stdout, stderr and exit, or a line saying how not. */
    private static String compare(boolean eai, String stdin, String... args) throws Exception {
        Path theirEtc = eai ? postfix.etc : theirsNoEai;
        Path ourEtc = eai ? ours.etc : oursNoEai;
        // side by side: postmap sleeps 1 s after a fatal error
        var theirsLater = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Postmap.run(theirEtc, stdin, 25, args).normalized(postfix.dir);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Postmap.Result mine = Postmap.run(ourEtc, stdin, 25, args).normalized(ours.dir);
        Postmap.Result theirs = theirsLater.join();
        if (theirs.equals(mine)) return null;
        return (eai ? "" : "[smtputf8 off] ") + "postmap " + String.join(" ", args) + ":\n  Postfix: " + theirs + "\n  ours:    " + mine;
    }

    @Test
    void manyKeysWithEveryFlagVariation() throws Exception {
        List<String> diffs = new ArrayList<>();
        int runs = 0;
        for (String table : TABLES) {
            for (boolean eai : new boolean[] {true, false}) {
                for (String opt : new String[] {null, "-f", "-n", "-N"}) {
                    String[] args = opt == null ? new String[] {"-q", "-", table} : new String[] {opt, "-q", "-", table};
                    String d = compare(eai, KEYS, args);
                    runs++;
                    if (d != null) diffs.add(d);
                }
            }
        }
        System.out.println("OpenFlagsInteropTest: " + runs + " postmap -q - runs of " + KEYS.split("\n").length + " keys each");
        assertEquals(List.of(), diffs, String.join("\n", diffs));
    }

    @Test
    void singleKeysWithEveryFlagVariation() throws Exception {
        List<String> diffs = new ArrayList<>();
        String th = "proxy:texthash:" + tables + "/th";
        String inline = TABLES.get(8);
        String[][] cases = {
            {th, "MixedCase@Example.COM"}, {th, "UPPER@EXAMPLE.COM"}, {th, "Dup@Example.com"}, {th, "dup@example.com"},
            {"proxy:texthash:" + tables + "/thdup", "exact"}, {inline, "Mixed"}, {inline, "mixed"}, {inline, "dupkey"},
            {"proxy:cdb:" + tables + "/cfix", "MixedKey"}, {"proxy:cdb:" + tables + "/cnul", "k1"},
            {"proxy:cdb:" + tables + "/cdef", "K1"}, {"proxy:regexp:" + tables + "/rx", "Cased"},
        };
        for (String[] c : cases) {
            for (String opt : new String[] {null, "-f", "-n", "-N"}) {
                String[] args = opt == null ? new String[] {"-q", c[1], c[0]} : new String[] {opt, "-q", c[1], c[0]};
                String d = compare(true, null, args);
                if (d != null) diffs.add(d);
            }
        }
        assertEquals(List.of(), diffs, String.join("\n", diffs));
    }

    @Test
    void sequenceGivesTheSameEntriesInAnyOrder() throws Exception {
        // Postfix's client refuses to sequence through the read-only service ("can't sequence maps
        // via the proxy service"), so no client depends on the order; on the wire both servers
        // answer FIRST/NEXT. Postfix's order is its hash table's (seeded at random per process from
        // 3.11 on), ours the table's own: "the same" is every entry exactly once, with its value
        for (String table : new String[] {"texthash:" + tables + "/th", TABLES.get(8).substring("proxy:".length())}) {
            List<String> theirs = sequence(postfix.proxymap(), table);
            List<String> mine = sequence(ours.proxymap(), table);
            assertTrue(theirs.size() >= 4, theirs.toString());
            java.util.Collections.sort(theirs);
            java.util.Collections.sort(mine);
            assertEquals(theirs, mine, table);
        }
    }

    /** Every entry FIRST/NEXT gives on one connection, as "key=value", until NOKEY. */
    private static List<String> sequence(Path socket, String table) throws Exception {
        List<String> out = new ArrayList<>();
        try (org.proxymap.testing.WireClient c = org.proxymap.testing.WireClient.connect(socket)) {
            for (int function = 0; out.size() < 100; function = 1) {
                org.proxymap.protocol.AttrList r = c.call("request", "sequence", "table", table, "flags", "524353",
                        "function", String.valueOf(function));
                if (!r.value(0).equals("0")) break;
                out.add(r.value(1) + "=" + r.value(2));
            }
        }
        return out;
    }

    @Test
    void dialectBLoadsTexthashKeysAsWritten() throws Exception {
        // the example, as a plain assertion as well: NOKEY from real 3.7, so from ours
        Postmap.Result r = Postmap.run(ours.etc, null, 25, "-q", "MixedCase@Example.COM", "proxy:texthash:" + tables + "/th");
        assertEquals(1, r.exit(), r.toString());
        r = Postmap.run(ours.etc, null, 25, "-f", "-q", "MixedCase@Example.COM", "proxy:texthash:" + tables + "/th");
        assertEquals(new Postmap.Result(0, "mixed-value\n", ""), r);
        r = Postmap.run(ours.etc, null, 25, "-f", "-q", "Dup@Example.com", "proxy:texthash:" + tables + "/th");
        assertEquals(new Postmap.Result(0, "dup-upper-first\n", ""), r);
        assertTrue(Postmap.run(ours.etc, null, 25, "-q", "dup@example.com", "proxy:texthash:" + tables + "/th")
                .stdout().equals("dup-lower-second\n"));
    }
}
