package org.proxymap.table.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.it.PostfixReference;
import org.proxymap.it.Postmap;
import org.proxymap.testing.Slapd;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * Debian's real {@code postmap -q KEY proxy:ldap:FILE.cf} through Postfix's own proxymap
 * (with postfix-ldap, i.e. libldap) and through ours, against the same throwaway slapd:
 * for every definition of {@link LdapFixture} and every key, stdout, stderr and the exit
 * code must be the same.
 */
class LdapDifferentialTest {
    private static final int POSTMAP_SECONDS = 30;
    private static Slapd slapd;
    private static Path cfDir;
    private static PostfixReference postfix;
    private static TestServer ours;

    @BeforeAll
    static void start() throws Exception {
        LdapFixture.requirePostfixLdap();
        slapd = Slapd.start(LdapFixture.ldif());
        cfDir = Files.createTempDirectory(Path.of("/tmp"), "pmldap");
        LdapFixture.write(cfDir, slapd.url());
        StringBuilder maps = new StringBuilder("proxy_read_maps =");
        for (String cf : LdapFixture.definitions().keySet()) maps.append("\n    proxy:ldap:").append(cfDir.resolve(cf));
        postfix = PostfixReference.start(maps + "\n");
        ours = TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        if (slapd != null) slapd.close();
        Trees.delete(cfDir);
    }

    private record Case(String what, Postmap.Result theirs, Postmap.Result mine) {}

    private static Case both(String stdin, String... args) throws Exception {
        var theirsLater = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Postmap.run(postfix.etc, stdin, POSTMAP_SECONDS, args).normalized(postfix.dir);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Postmap.Result mine = Postmap.run(ours.etc, stdin, POSTMAP_SECONDS, args).normalized(ours.dir);
        return new Case(String.join(" ", args) + (stdin != null ? " <<< " + stdin.replace("\n", "|") : ""), theirsLater.join(), mine);
    }

    @Test
    void everyDefinitionAndKeyAnswersAsPostfixsOwnProxymap() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Case>> cases = new ArrayList<>();
        int lookups = 0;
        try {
            for (String cf : LdapFixture.definitions().keySet()) {
                String table = "proxy:ldap:" + cfDir.resolve(cf);
                // all keys on stdin (UTF-8 safe), then each ASCII key alone (exit code per key)
                String all = String.join("\n", LdapFixture.KEYS) + "\n";
                cases.add(pool.submit(() -> both(all, "-q", "-", table)));
                lookups += LdapFixture.KEYS.size();
                for (String key : LdapFixture.KEYS) {
                    if (!key.chars().allMatch(c -> c < 0x80)) continue;
                    cases.add(pool.submit(() -> both(null, "-q", key, table)));
                    lookups++;
                }
            }
            List<String> differ = new ArrayList<>();
            int found = 0, notFound = 0, failed = 0;
            for (Future<Case> f : cases) {
                Case c = f.get();
                if (!c.theirs.equals(c.mine)) differ.add(c.what + "\n   postfix: " + c.theirs + "\n   ours:    " + c.mine);
                if (c.mine.exit() == 0) found++;
                else if (c.mine.stderr().isEmpty()) notFound++;
                else failed++;
            }
            System.out.printf("ldap differential: %d lookups in %d postmap runs per side: %d found, %d not found, %d errors, %d different%n",
                    lookups, cases.size(), found, notFound, failed, differ.size());
            assertEquals(List.of(), differ, differ.size() + " of " + cases.size() + " postmap runs differ");
            assertTrue(found > 100 && notFound > 50 && failed >= 5, "the cases cover hits, misses and errors: " + found + "/" + notFound + "/" + failed);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void knownAnswers() throws Exception {
        Map<String, String> expect = Map.of(
                // member DNs first (slapd returns member before maildrop); leaf entries add their mail,
                // the group (not a leaf) does not; the missing member is skipped; admins recurses to carol
                "groups.cf|staff@example.org", "alice@mail.example.org,alice@example.org,bob@mail.example.org,bob@backup.example.net,"
                        + "bob@example.org,bob@de.example.org,carol@mail.example.org,carol@example.org,external@other.example",
                "terminal.cf|carol@example.org", "carol-terminal@mail.example.org",
                "bind.cf|alice@example.org", "alice/Maildir/");
        for (var e : expect.entrySet()) {
            String[] k = e.getKey().split("\\|");
            Case c = both(null, "-q", k[1], "proxy:ldap:" + cfDir.resolve(k[0]));
            assertEquals(c.theirs, c.mine, c.what);
            assertEquals(new Postmap.Result(0, e.getValue() + "\n", ""), c.mine, c.what);
        }
    }
}
