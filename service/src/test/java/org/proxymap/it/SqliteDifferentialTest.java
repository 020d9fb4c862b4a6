package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * sqlite tables through the socket: Debian's {@code postmap -q} against the REAL Postfix 3.7
 * proxymap (postfix-sqlite) and against ours, on one database made here. stdout, stderr and
 * the exit code must be the same, key by key.
 */
class SqliteDifferentialTest {
    private static final int POSTMAP_SECONDS = 60;
    private static Path tables;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static final List<String> CFS = List.of("plain.cf", "format.cf", "domain.cf", "legacy.cf", "limit.cf", "parts.cf");

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        Require.that(Files.exists(Path.of("/usr/lib/postfix/postfix-sqlite.so")), "Debian's postfix-sqlite");
        Require.executable("/usr/bin/sqlite3");
        tables = Files.createTempDirectory(Path.of("/tmp"), "pmsql");
        Files.setPosixFilePermissions(tables, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path db = tables.resolve("mail.sqlite");
        StringBuilder sql = new StringBuilder("CREATE TABLE alias (address TEXT, goto TEXT);\n");
        for (int i = 0; i < 200; i++) {
            sql.append("INSERT INTO alias VALUES ('user").append(i).append("@example.com', 'target").append(i).append("@example.net');\n");
        }
        sql.append("""
                INSERT INTO alias VALUES ('multi@example.com', 'a@example.net');
                INSERT INTO alias VALUES ('multi@example.com', NULL);
                INSERT INTO alias VALUES ('multi@example.com', 'b@example.net');
                INSERT INTO alias VALUES ('multi@example.com', 'c@example.net');
                INSERT INTO alias VALUES ('empty@example.com', '');
                INSERT INTO alias VALUES ('null@example.com', NULL);
                INSERT INTO alias VALUES ('o''brien@example.com', 'quoted@example.net');
                INSERT INTO alias VALUES ('jürgen@example.com', 'jürgen@example.de');
                INSERT INTO alias VALUES ('space@example.com', 'value with  spaces, and commas');
                INSERT INTO alias VALUES ('upper@example.com', 'UPPER@EXAMPLE.NET');
                INSERT INTO alias VALUES ('nodomain', 'local-only');
                INSERT INTO alias VALUES ('example.org', 'OK');
                CREATE TABLE domains (domain TEXT, transport TEXT, extra TEXT);
                INSERT INTO domains VALUES ('example.com', 'smtp:[relay.example.com]', 'ignored');
                INSERT INTO domains VALUES ('example.org', 'lmtp:unix:private/dovecot', 'ignored');
                """);
        Process p = new ProcessBuilder("/usr/bin/sqlite3", "-bail", db.toString()).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(sql.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        write("plain.cf", "dbpath = " + db + "\nquery = SELECT goto FROM alias WHERE address='%s'\n");
        write("format.cf", "dbpath = " + db + "\nquery = SELECT goto FROM alias WHERE address='%s'\nresult_format = [%s] %u at %d for %U\n");
        write("domain.cf", "dbpath = " + db + "\nquery = SELECT goto FROM alias WHERE address='%s'\ndomain = example.com, !example.org\n");
        write("legacy.cf", "dbpath = " + db + "\ntable = domains\nselect_field = transport\nwhere_field = domain\n"
                + "additional_conditions = AND extra = 'ignored'\n");
        write("limit.cf", "dbpath = " + db + "\nquery = SELECT goto FROM alias WHERE address='%s'\nexpansion_limit = 2\n");
        write("parts.cf", "dbpath = " + db + "\nquery = SELECT transport || ' %1 %2 %u' FROM domains WHERE domain='%d'\n");
        try (var files = Files.list(tables)) {
            for (Path f : files.toList()) Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
        StringBuilder maps = new StringBuilder("proxy_read_maps =");
        for (String cf : CFS) maps.append(" proxy:sqlite:").append(tables.resolve(cf));
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
        if (tables != null) Trees.delete(tables);
    }

    private static String table(String cf) { return "proxy:sqlite:" + tables.resolve(cf); }

    private static Postmap.Result both(String stdin, String... args) throws Exception {
        var theirsLater = CompletableFuture.supplyAsync(() -> {
            try {
                return Postmap.run(postfix.etc, stdin, POSTMAP_SECONDS, args).normalized(postfix.dir);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        Postmap.Result mine = Postmap.run(ours.etc, stdin, POSTMAP_SECONDS, args).normalized(ours.dir);
        Postmap.Result theirs = theirsLater.join();
        assertEquals(theirs, mine, "postmap " + String.join(" ", args) + " through Postfix's proxymap vs ours");
        return mine;
    }

    /** The keys every table is asked: hits, misses, case, quoting, UTF-8, multi-row, NULL and empty, odd shapes. */
    static List<String> keys() {
        List<String> k = new ArrayList<>();
        for (int i = 0; i < 220; i += 1) k.add((i % 7 == 0 ? "USER" : "user") + i + "@example.com");
        k.addAll(List.of("multi@example.com", "empty@example.com", "null@example.com", "o'brien@example.com",
                "O'Brien@Example.COM", "jürgen@example.com", "JÜRGEN@example.com", "space@example.com", "upper@example.com",
                "nodomain", "example.org", "example.com", "@example.com", "user1@", "a@b@example.com", "' OR '1'='1",
                "x'; DROP TABLE alias; --", "%s", "100%", "user1@example.com ", "\\", "\"quoted\"@example.com",
                "user1@EXAMPLE.COM", "sub.example.com", "a.b.c.d.example.com", "x@sub.example.org", "postmaster@example.org"));
        return k;
    }

    @Test
    void hundredsOfKeysPerTableOnStdin() throws Exception {
        String stdin = String.join("\n", keys()) + "\n";
        int total = 0;
        for (String cf : List.of("plain.cf", "format.cf", "domain.cf", "legacy.cf", "parts.cf")) {
            Postmap.Result r = both(stdin, "-q", "-", table(cf));
            assertEquals(0, r.exit(), cf + ": " + r);
            total += keys().size();
        }
        Postmap.Result plain = both(stdin, "-q", "-", table("plain.cf"));
        assertTrue(plain.stdout().contains("multi@example.com\ta@example.net,b@example.net,c@example.net\n"), plain.stdout());
        assertTrue(plain.stdout().contains("O'Brien@Example.COM\tquoted@example.net\n"), plain.stdout());
        assertTrue(total >= 1000, "keys asked: " + total);
    }

    @Test
    void oneKeyAtATimeExitCodesAndWarnings() throws Exception {
        for (String cf : CFS) {
            for (String key : List.of("user3@example.com", "USER7@EXAMPLE.COM", "multi@example.com", "missing@example.com",
                    "empty@example.com", "example.org", "jürgen@example.com")) {
                both(null, "-q", key, table(cf));
            }
        }
    }

    @Test
    void expansionLimitIsAnErrorForTheClient() throws Exception {
        Postmap.Result r = both(null, "-q", "multi@example.com", table("limit.cf"));
        assertEquals(1, r.exit());
        assertTrue(r.stderr().contains("query error"), r.stderr());
        expectSame("user5@example.com", "limit.cf", 0);
    }

    private static void expectSame(String key, String cf, int exit) throws Exception {
        assertEquals(exit, both(null, "-q", key, table(cf)).exit());
    }
}
