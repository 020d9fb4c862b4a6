package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;
import org.proxymap.testing.WireClient;

/**
 * Debian's real {@code postmap -c DIR -q ... proxy:...} through our server and through the
 * REAL Postfix 3.7 proxymap, started here as a private instance: for every case stdout,
 * stderr and the exit code must be the same (only the instance directory may differ), and
 * must be what Postfix's client prints for that case.
 */
class PostmapInteropTest {
    private static final int POSTMAP_SECONDS = 25;
    private static Path tables;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static String small;

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        tables = Files.createTempDirectory(Path.of("/tmp"), "pmtab");
        ReferenceTables.write(tables);
        small = "proxy:texthash:" + tables + "/maps/small";
        // writable: internal:rw, and a texthash table, which Postfix opens as a surrogate there
        // nested lists: the members of unionmap:{...} are approved, those of proxy:pipemap:{...} not
        String nested = "unionmap:{proxy:texthash:" + tables + "/./maps/big}"
                + " proxy:pipemap:{proxy:texthash:" + tables + "/./maps/small, proxy:" + ReferenceTables.INLINE + "}";
        String maps = ReferenceTables.proxyMaps(tables, "internal:rw proxy:texthash:" + tables + "/maps/small", nested);
        postfix = PostfixReference.start(maps);
        Path dir = TestServer.newConfig("compatibility_level = 3.6\n" + maps);
        ours = TestServer.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        Trees.delete(tables);
    }

    /** Runs postmap against both servers, asserts the same output, returns it (DIR-normalized). */
    private static Postmap.Result both(String stdin, String... args) throws Exception {
        // side by side: postmap sleeps 1 s after a fatal error
        var theirsLater = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Postmap.run(postfix.etc, stdin, POSTMAP_SECONDS, args).normalized(postfix.dir);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Postmap.Result mine = Postmap.run(ours.etc, stdin, POSTMAP_SECONDS, args).normalized(ours.dir);
        Postmap.Result theirs = theirsLater.join();
        assertEquals(theirs, mine, "postmap " + String.join(" ", args) + " through Postfix's proxymap vs ours");
        return mine;
    }

    private static void expect(Postmap.Result r, int exit, String stdout, String stderr) {
        assertEquals(new Postmap.Result(exit, stdout, stderr), r);
    }

    @Test
    void hit() throws Exception {
        expect(both(null, "-q", "alice@example.com", small), 0, "alice@mailhost.example.com\n", "");
    }

    @Test
    void miss() throws Exception {
        expect(both(null, "-q", "nobody@example.com", small), 1, "", "");
    }

    @Test
    void valueWithSpacesAndCommas() throws Exception {
        expect(both(null, "-q", "bob@example.com", small), 0, "bob@mailhost.example.com, bob2@example.net\n", "");
        expect(both(null, "-q", "spaces@example.com", small), 0, "value with   internal  spaces\n", "");
    }

    @Test
    void unapprovedTable() throws Exception {
        expect(both(null, "-q", "alice@example.com", "proxy:texthash:/etc/postfix/not-approved"), 1, "",
                "postmap: fatal: proxymap service is not configured for table \"texthash:/etc/postfix/not-approved\"\n");
        // the exact-string rule: another spelling of an approved path is another table
        String other = "texthash:" + tables + "//maps/small";
        expect(both(null, "-q", "alice@example.com", "proxy:" + other), 1, "",
                "postmap: fatal: proxymap service is not configured for table \"" + other + "\"\n");
    }

    @Test
    void membersOfNestedListsAsPostfixApprovesThem() throws Exception {
        expect(both(null, "-q", "key7@example.com", "proxy:texthash:" + tables + "/./maps/big"), 0, "target7@example.net\n", "");
        String member = "texthash:" + tables + "/./maps/small";
        expect(both(null, "-q", "alice@example.com", "proxy:" + member), 1, "",
                "postmap: fatal: proxymap service is not configured for table \"" + member + "\"\n");
    }

    @Test
    void missingTableFile() throws Exception {
        expect(both(null, "-q", "x", "proxy:texthash:" + tables + "/maps/missing"), 1, "",
                "postmap: fatal: table proxy:texthash:" + tables + "/maps/missing: query error: Application error\n");
    }

    @Test
    void inlineTable() throws Exception {
        expect(both(null, "-q", "inkey2", "proxy:" + ReferenceTables.INLINE), 0, "invalue2\n", "");
    }

    @Test
    void manyKeysOnStdin() throws Exception {
        String keys = "alice@example.com\nnobody@example.com\nBOB@EXAMPLE.COM\nexample.com\nspaces@example.com\n";
        expect(both(keys, "-q", "-", small), 0, "alice@example.com\talice@mailhost.example.com\n"
                + "BOB@EXAMPLE.COM\tbob@mailhost.example.com, bob2@example.net\n"
                + "example.com\tOK\n"
                + "spaces@example.com\tvalue with   internal  spaces\n", "");
        expect(both("nobody@example.com\nnoone@example.com\n", "-q", "-", small), 1, "", "");
    }

    @Test
    void proxywriteDelete() throws Exception {
        for (Path socket : new Path[] {postfix.proxywrite(), ours.proxywrite()}) {
            try (WireClient c = WireClient.connect(socket)) {
                AttrList r = c.call("request", "update", "table", "internal:rw", "flags", "65", "key", "seed2", "value", "value2");
                assertEquals("status\\00\\0\\0", WireClient.escaped(r), "seeding " + socket);
            }
        }
        expect(both(null, "-d", "seed2", "proxy:internal:rw"), 0, "", "");
        expect(both(null, "-d", "seed2", "proxy:internal:rw"), 1, "", "");
    }

    @Test
    void proxywriteRefusesATableThatIsOnlyReadable() throws Exception {
        String big = "texthash:" + tables + "/maps/big";
        Postmap.Result r = both(null, "-d", "key1@example.com", "proxy:" + big);
        assertEquals(1, r.exit());
        assertEquals("postmap: fatal: proxywrite service is not configured for table \"" + big + "\"\n", r.stderr());
    }

    @Test
    void proxywriteDeleteInAReadOnlyTypeFails() throws Exception {
        // Postfix: a surrogate (texthash requires O_RDONLY); ours: the table refuses the write. Both: RETRY
        expect(both(null, "-d", "alice@example.com", small), 1, "",
                "postmap: fatal: table " + small + ": delete error: Application error\n");
    }
}
