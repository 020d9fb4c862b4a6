package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.Require;
import org.proxymap.testing.SocketTableServer;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * {@code proxy:unionmap:{...}}, {@code proxy:pipemap:{...}} and {@code proxy:randmap:{...}}
 * through Debian's real {@code postmap -q} against our server and the REAL Postfix 3.7
 * proxymap: the whole composite string is approved as written, its members (texthash, inline,
 * regexp, cidr, socketmap, a {@code proxy:} member opened locally, a missing file, a bad name)
 * are opened by the server; hundreds of keys with identical stdout, stderr and exit codes.
 * randmap is random: the sets of answers must agree and each answer come about equally often.
 */
class CompositeTablesInteropTest {
    private static final int POSTMAP_SECONDS = 60;
    private static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();
    private static Path dir;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static SocketTableServer smap;
    private static String union;
    private static String unionWithProxyMember;
    private static String unionFailing;
    private static String unionPerm;
    private static String pipe;
    private static String emptyPipe;
    private static String badUnion;
    private static String rand;

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        dir = Files.createTempDirectory(Path.of("/tmp"), "comptab");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ReferenceTables.write(dir);
        Path chain = dir.resolve("maps/chain.regexp");
        Files.writeString(chain, "/^target([0-9]*[05])@example\\.net$/ final-$1@example.org\n/^alice@mailhost/ ALICE-FINAL\n");
        Files.setPosixFilePermissions(chain, PosixFilePermissions.fromString("rw-r--r--"));
        smap = SocketTableServer.inet(null);
        smap.handler(smap.socketmap(q -> q.endsWith(" perm@example.com") ? "PERM broken" : "OK from-socketmap"));
        String m = dir + "/maps/";
        union = "unionmap:{texthash:" + m + "small, inline:{alice@example.com=second, only@inline=inline-value},"
                + " texthash:" + m + "big regexp:" + m + "rx.regexp}";
        unionWithProxyMember = "unionmap:{proxy:texthash:" + m + "small,cidr:" + m + "clients.cidr}";
        unionFailing = "unionmap:{texthash:" + m + "small, texthash:" + m + "missing}";
        unionPerm = "unionmap:{inline:{perm@example.com=x}, socketmap:" + smap.service() + ":m}";
        pipe = "pipemap:{texthash:" + m + "big, regexp:" + m + "chain.regexp}";
        emptyPipe = "pipemap:{ }";
        badUnion = "unionmap:{nocolon}";
        rand = "randmap:{one, two,three}";
        String more = String.join(" ", "proxy:" + union, "proxy:" + unionWithProxyMember, "proxy:" + unionFailing,
                "proxy:" + unionPerm, "proxy:" + pipe, "proxy:" + emptyPipe, "proxy:" + badUnion, "proxy:" + rand,
                "proxy:randmap:{only}", "proxy:randmap:{{a braced result}}");
        String maps = ReferenceTables.proxyMaps(dir, "internal:rw", more);
        postfix = PostfixReference.start(maps);
        ours = TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps));
    }

    @AfterAll
    static void stop() {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        if (smap != null) smap.close();
        if (dir != null) Trees.delete(dir);
    }

    private static Postmap.Result run(Path etc, Path instance, String stdin, String... args) {
        try {
            return Postmap.run(etc, stdin, POSTMAP_SECONDS, args).normalized(instance);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static Postmap.Result both(String stdin, String... args) {
        var theirs = CompletableFuture.supplyAsync(() -> run(postfix.etc, postfix.dir, stdin, args), THREADS);
        Postmap.Result mine = run(ours.etc, ours.dir, stdin, args);
        assertEquals(theirs.join(), mine, "postmap " + String.join(" ", args) + " through Postfix's proxymap vs ours");
        return mine;
    }

    private static String keys(int n) {
        StringBuilder b = new StringBuilder("alice@example.com\nbob@example.com\nonly@inline\nuser42@rx.example\n"
                + "postmaster@example.com\nALICE@EXAMPLE.COM\nnobody@nowhere\n");
        for (int i = 0; i < n; i++) b.append(i % 7 == 3 ? "miss" : "key").append(i).append("@example.com\n");
        return b.toString();
    }

    @Test
    void unionOfFilesInlineAndPatternTables() {
        Postmap.Result r = both(keys(300), "-q", "-", "proxy:" + union);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stdout().contains("alice@example.com\talice@mailhost.example.com,second\n"), r.stdout());
        assertTrue(r.stdout().lines().count() > 250, r.stdout());
    }

    @Test
    void pipeOfAFileAndARegexp() {
        Postmap.Result r = both(keys(300), "-q", "-", "proxy:" + pipe);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.stdout().contains("key5@example.com\tfinal-5@example.org\n"), r.stdout());
        long expected = java.util.stream.IntStream.range(0, 300).filter(i -> i % 5 == 0 && i % 7 != 3).count();
        assertEquals(expected, r.stdout().lines().count(), r.stdout());
    }

    @Test
    void aProxyMemberIsOpenedLocallyAndAnEmptyPipeFails() {
        both(keys(20), "-q", "-", "proxy:" + unionWithProxyMember);
        both(null, "-q", "127.0.0.1", "proxy:" + unionWithProxyMember);
        both("a\nB\nsome key\n", "-q", "-", "proxy:" + emptyPipe);
    }

    @Test
    void failingMembersBadNamesAndMembersNotApproved() {
        for (String key : new String[] {"alice@example.com", "nobody@example.com"}) both(null, "-q", key, "proxy:" + unionFailing);
        for (String key : new String[] {"perm@example.com", "other@example.com"}) both(null, "-q", key, "proxy:" + unionPerm);
        both(null, "-q", "x", "proxy:" + badUnion);
        // the members of a proxied composite are not approved by it
        both(null, "-q", "alice@example.com", "proxy:texthash:" + dir + "/maps/small");
        // another spelling of the composite is another table
        both(null, "-q", "alice@example.com", "proxy:" + union.replace(", ", ","));
    }

    @Test
    void theCompositesAppearUnderJmxTables() {
        both(null, "-q", "alice@example.com", "proxy:" + union);
        run(ours.etc, ours.dir, null, "-q", "k", "proxy:" + rand); // random: not compared
        for (String t : new String[] {union, rand}) {
            var h = ours.server.registry().handles().stream().filter(x -> x.fullName().equals(t)).findFirst().orElseThrow();
            assertTrue(h.counters().lookups.sum() >= 1 && !h.isSurrogate(), t);
        }
        both(null, "-q", "x", "proxy:" + badUnion);
        assertTrue(ours.server.registry().handles().stream().anyMatch(x -> x.fullName().equals(badUnion) && x.isSurrogate()),
                "a bad composite is listed, as unavailable");
    }

    @Test
    void randmapAnswersTheSameSetAboutEquallyOften() {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < 600; i++) keys.append("k").append(i).append('\n');
        var theirs = CompletableFuture.supplyAsync(() -> run(postfix.etc, postfix.dir, keys.toString(), "-q", "-", "proxy:" + rand), THREADS);
        Postmap.Result mine = run(ours.etc, ours.dir, keys.toString(), "-q", "-", "proxy:" + rand);
        for (Postmap.Result r : new Postmap.Result[] {theirs.join(), mine}) {
            assertEquals(0, r.exit(), r.toString());
            Map<String, Integer> counts = new HashMap<>();
            r.stdout().lines().forEach(l -> counts.merge(l.substring(l.indexOf('\t') + 1), 1, Integer::sum));
            assertEquals(java.util.Set.of("one", "two", "three"), counts.keySet(), r.stdout());
            counts.values().forEach(n -> assertTrue(n > 120 && n < 280, counts.toString()));
        }
        both(null, "-q", "k", "proxy:randmap:{only}");
        both(null, "-q", "k", "proxy:randmap:{{a braced result}}");
    }
}
