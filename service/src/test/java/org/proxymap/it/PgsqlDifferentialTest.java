package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestPg;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * pgsql tables, differential: Debian's real {@code postmap -q - proxy:pgsql:FILE} through the
 * REAL Postfix 3.7 proxymap with its own pgsql client (postfix-pgsql, libpq) and through
 * ours, against the same throwaway PostgreSQL, over a dozen .cf files in the styles that
 * PostfixAdmin, iRedMail and the Postfix manual publish: byte for byte the same output and
 * the same exit code, hits, misses, NULLs, quotes, UTF-8 keys under Postfix 3.7's LATIN1
 * client encoding, and the errors.
 */
class PgsqlDifferentialTest {
    private static final String DB = "pmdiff";
    private static TestPg db;
    private static Path tables;
    private static Path sockets;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static final Map<String, String> CF = new LinkedHashMap<>();

    /** Tables whose lookups fail for some keys: tested one key at a time (postmap -q - stops at the first error). */
    static final List<String> ERRORS = List.of("limit", "bad_sql", "euro");

    static final List<String> KEYS = List.of("example.com", "example.org", "old.example", "EXAMPLE.COM", "nowhere.example",
            "postmaster@example.com", "multi@example.com", "list@example.com", "nobody@example.com", "quote'o@example.com",
            "back\\slash@example.com", "null@example.com", "empty@example.com", "off@example.com", "joe@example.com",
            "ann@example.org", "joe@alias.example", "anyone@alias.example", "ann@alias.example", "x' OR '1'='1",
            "x\\' OR 1=1 --", "\u00fcber@example.com", "\u00c3\u00bcber@example.com", "@example.com",
            "joe@", "joe", "nodomain", "a@b@example.com", "postmaster@EXAMPLE.com", "sub.example.com", "%s@example.com",
            "100%@example.com", "_@example.com", "spaced key@example.com", "joe@example.com.", "ann@sub.example.org",
            "relay@example.net", "postmaster@example.net", "joe+tag@example.com", "postmaster@alias.example", "multi@alias.example");

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        Require.that(Files.exists(Path.of("/usr/lib/postfix/postfix-pgsql.so")), "postfix-pgsql (Postfix's pgsql client)");
        db = TestPg.shared();
        db.freshDatabase(DB,
                "CREATE TABLE domain (domain TEXT PRIMARY KEY, transport TEXT, backupmx BOOLEAN, active BOOLEAN)",
                "CREATE TABLE alias (address TEXT, goto TEXT, domain TEXT, active BOOLEAN)",
                "CREATE TABLE mailbox (username TEXT, maildir TEXT, quota BIGINT, domain TEXT, local_part TEXT, active BOOLEAN)",
                "CREATE TABLE alias_domain (alias_domain TEXT, target_domain TEXT, active BOOLEAN)",
                "INSERT INTO domain VALUES ('example.com', 'virtual', false, true), ('example.org', NULL, false, true),"
                        + " ('old.example', 'virtual', false, false), ('example.net', 'relay:[mx.example.net]', true, true),"
                        + " ('sub.example.org', '', false, true)",
                "INSERT INTO alias VALUES ('postmaster@example.com', 'admin@example.com', 'example.com', true),"
                        + " ('multi@example.com', 'a@example.com', 'example.com', true), ('multi@example.com', 'b@example.com', 'example.com', true),"
                        + " ('list@example.com', 'l1@example.com,l2@example.com', 'example.com', true),"
                        + " ('quote''o@example.com', 'quoted@example.com', 'example.com', true),"
                        + " ('back\\slash@example.com', 'bs@example.com', 'example.com', true),"
                        + " ('null@example.com', NULL, 'example.com', true), ('empty@example.com', '', 'example.com', true),"
                        + " ('off@example.com', 'x@example.com', 'example.com', false),"
                        + " ('\u00fcber@example.com', 'utf8-row@example.com', 'example.com', true),"
                        + " ('\u00c3\u00bcber@example.com', 'latin1-reading@example.com', 'example.com', true),"
                        + " ('cafe@example.com', 'caf\u00e9@example.com', 'example.com', true),"
                        + " ('euro@example.com', '\u20ac@example.com', 'example.com', true),"
                        + " ('%s@example.com', 'percent@example.com', 'example.com', true),"
                        + " ('@example.org', 'catchall@example.org', 'example.org', true), ('nodomain', 'local-only', NULL, true)",
                "INSERT INTO mailbox VALUES ('joe@example.com', 'example.com/joe/', 1000, 'example.com', 'joe', true),"
                        + " ('ann@example.org', 'example.org/ann/', NULL, 'example.org', 'ann', true),"
                        + " ('off@example.com', 'example.com/off/', 0, 'example.com', 'off', false)",
                "INSERT INTO alias_domain VALUES ('alias.example', 'example.com', true)",
                "CREATE FUNCTION lookup_alias(a TEXT) RETURNS TEXT AS $$ SELECT goto FROM alias WHERE address = a AND active $$ LANGUAGE sql");
        tables = Files.createTempDirectory(Path.of("/tmp"), "pmpgcf");
        // unix:/dir with the server's socket under the name libpq uses for the default port
        sockets = Files.createTempDirectory(Path.of("/tmp"), "pmsock");
        Files.createSymbolicLink(sockets.resolve(".s.PGSQL.5432"), Path.of(db.socketDir, ".s.PGSQL." + db.port));
        String tcp = "hosts = " + db.host + ":" + db.port + "\nuser = " + db.user + "\npassword = " + db.password + "\ndbname = " + DB + "\n";
        String unix = "hosts = unix:" + sockets + "\nuser = " + db.user + "\npassword = " + db.password + "\ndbname = " + DB + "\n";
        // PostfixAdmin's pgsql files
        CF.put("pfa_domains", tcp + "query = SELECT domain FROM domain WHERE domain='%s' AND active = '1'\n");
        CF.put("pfa_aliases", tcp + "query = SELECT goto FROM alias WHERE address='%s' AND active = '1'\n");
        CF.put("pfa_mailboxes", unix + "query = SELECT maildir FROM mailbox WHERE username='%s' AND active = '1'\n");
        CF.put("pfa_alias_domain", tcp + "query = SELECT goto FROM alias,alias_domain WHERE alias_domain.alias_domain = '%d'"
                + " and alias.address = '%u' || '@' || alias_domain.target_domain AND alias.active = true AND alias_domain.active = true\n");
        CF.put("pfa_alias_domain_mailbox", unix + "query = SELECT maildir FROM mailbox, alias_domain WHERE alias_domain.alias_domain = '%d'"
                + " and mailbox.username = '%u' || '@' || alias_domain.target_domain AND mailbox.active = true AND alias_domain.active\n");
        CF.put("pfa_catchall", tcp + "query = SELECT goto FROM alias WHERE address='@%d' AND active = '1'\n"
                + "domain = example.org, example.com\n");
        // transport and relay_domains with result_format and NULL/empty columns
        CF.put("transport", tcp + "query = SELECT transport FROM domain WHERE domain='%s' AND active\n");
        CF.put("relay", tcp + "query = SELECT domain FROM domain WHERE domain='%s' AND backupmx\nresult_format = relay:[%s]\n");
        // several columns and rows, NULLs among them; the %-expansions in result_format; a limit of one
        CF.put("columns", unix + "query = SELECT maildir, quota, NULL FROM mailbox WHERE local_part='%u' AND domain='%d'\n");
        CF.put("format", tcp + "query = SELECT goto FROM alias WHERE address='%u@%d'\nresult_format = <%u|%d|%S|%U|%D|%1|%2>\n");
        CF.put("limit", tcp + "query = SELECT goto FROM alias WHERE address='%s'\nexpansion_limit = 1\n");
        // the obsolete interfaces
        CF.put("legacy_fields", tcp + "table = alias\nselect_field = goto\nwhere_field = address\nadditional_conditions = AND active = true\n");
        CF.put("legacy_function", unix + "select_function = lookup_alias\n");
        // a connection URI with a URI-only dbname: Postfix 3.7 knows "postgresql:" connection strings
        CF.put("uri", "hosts = postgresql://" + db.user + ":" + db.password + "@" + db.host + ":" + db.port + "/" + DB + "?sslmode=disable\n"
                + "dbname = " + DB + "\nquery = SELECT goto FROM alias WHERE address='%s'\n");
        // errors: bad SQL, a value LATIN1 cannot hold
        CF.put("bad_sql", tcp + "query = SELEKT goto FROM alias WHERE address='%s'\n");
        CF.put("euro", tcp + "query = SELECT goto FROM alias WHERE address='%s'\n");
        StringBuilder maps = new StringBuilder("proxy_read_maps =");
        for (var e : CF.entrySet()) {
            Path f = tables.resolve(e.getKey() + ".cf");
            Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            maps.append(" proxy:pgsql:").append(f);
        }
        for (Path d : new Path[] {tables, sockets}) Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        postfix = PostfixReference.start(maps.toString());
        ours = TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        if (tables != null) Trees.delete(tables);
        if (sockets != null) Trees.delete(sockets);
    }

    record Result(int exit, String stdout, String stderr) {}

    /** postmap -c ETC ARGS, output as bytes (ISO-8859-1), the instance directory replaced by DIR. */
    static Result postmap(Path dir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PostfixReference.POSTMAP.toString(), "-c", dir.resolve("etc").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(String.join(" ", cmd) + ": no exit within 60 s");
        }
        String d = dir.toString();
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.ISO_8859_1).replace(d, "DIR"),
                new String(err.join(), StandardCharsets.ISO_8859_1).replace(d, "DIR"));
    }

    private static byte[] read(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The same postmap run through both servers (side by side); asserts the same result and returns it. */
    static Result both(String stdin, String... args) throws Exception {
        var theirs = CompletableFuture.supplyAsync(() -> {
            try {
                return postmap(postfix.dir, stdin, args);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Result mine = postmap(ours.dir, stdin, args);
        Result ref = theirs.join();
        assertEquals(ref, mine, "postmap " + String.join(" ", args) + " through Postfix 3.7's proxymap vs ours");
        return mine;
    }

    static String table(String cf) { return "proxy:pgsql:" + tables.resolve(cf + ".cf"); }

    @Test
    void everyKeyThroughEveryTableAnswersAsPostfix() throws Exception {
        String stdin = String.join("\n", KEYS) + "\n";
        int lookups = 0, hits = 0;
        for (String cf : CF.keySet()) {
            if (ERRORS.contains(cf)) continue;
            Result r = both(stdin, "-q", "-", table(cf));
            assertTrue(r.exit() <= 1 && r.stderr().isEmpty(), cf + ": " + r); // 1: no key found
            lookups += KEYS.size();
            hits += (int) r.stdout().lines().count();
        }
        System.out.println("pgsql differential: " + lookups + " lookups over " + (CF.size() - ERRORS.size()) + " tables, " + hits
                + " hits, identical to Postfix 3.7's proxymap");
        assertTrue(hits >= 30, "the tables really hit: " + hits);
    }

    @Test
    void singleLookupsWithExitCodes() throws Exception {
        int n = 0;
        for (String cf : List.of("pfa_aliases", "pfa_mailboxes", "format", "uri", "limit")) {
            for (String key : List.of("postmaster@example.com", "multi@example.com", "nobody@example.com", "\u00c3\u00bcber@example.com",
                    "quote'o@example.com", "joe@example.com")) {
                both(null, "-q", key, table(cf));
                n++;
            }
        }
        assertEquals("latin1-reading@example.com\n", both(null, "-q", "\u00fcber@example.com", table("pfa_aliases")).stdout(),
                "Postfix 3.7 sends the UTF-8 key as LATIN1");
        System.out.println("pgsql differential: " + n + " single lookups with exit codes identical");
    }

    @Test
    void errorsAnswerAsPostfix() throws Exception {
        // expansion_limit exceeded, bad SQL, a value LATIN1 cannot hold: RETRY, which postmap reports as a query error.
        // (What follows a query error is not compared: Postfix holds the host in the one proxymap process that saw
        // the error, and the next postmap may reach another process; PgsqlTableTest checks our per-table hold.)
        for (String[] c : new String[][] {{"limit", "multi@example.com"}, {"bad_sql", "postmaster@example.com"},
                {"bad_sql", "postmaster@example.com"}, {"euro", "euro@example.com"}}) {
            Result r = both(null, "-q", c[1], table(c[0]));
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.stderr().contains("fatal: table " + table(c[0]).replace(tables.toString(), tables.toString()) + ": query error"), r.toString());
        }
        // a Latin-1 value (one byte E9) is refused by Postfix 3.7's client as non-UTF-8, identically
        Result cafe = both(null, "-q", "cafe@example.com", table("pfa_aliases"));
        assertEquals(1, cafe.exit(), cafe.toString());
        assertTrue(cafe.stderr().contains("non-UTF-8 value \"caf"), cafe.toString());
    }
}
