package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.DictFlags;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.PooledResource;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.testing.Trees;

/** mysql_table(5) semantics against a real MariaDB: schemas, every parameter, quoting, errors. */
class MysqlTableTest {
    static TestDb db;
    static Path dir;
    static final SharedResources resources = new SharedResources();
    static final String DB = "pmvirt";

    @BeforeAll
    static void schema() throws Exception {
        db = TestDb.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pmcf");
        db.sql(DB,
                "DROP TABLE IF EXISTS domains, aliases, mailboxes",
                "CREATE TABLE domains (domain VARCHAR(255) PRIMARY KEY, active TINYINT) CHARSET utf8mb4",
                "CREATE TABLE aliases (address VARCHAR(255), goto TEXT, active TINYINT) CHARSET utf8mb4",
                "CREATE TABLE mailboxes (username VARCHAR(64), domain VARCHAR(255), maildir VARCHAR(255), quota BIGINT NULL,"
                        + " extra VARCHAR(255) NULL) CHARSET utf8mb4",
                "INSERT INTO domains VALUES ('example.com', 1), ('example.org', 1), ('old.example', 0)",
                "INSERT INTO aliases VALUES ('postmaster@example.com', 'admin@example.com', 1),"
                        + " ('multi@example.com', 'a@example.com', 1), ('multi@example.com', 'b@example.com', 1),"
                        + " ('quote''o@example.com', 'quoted@example.com', 1), ('back\\\\slash@example.com', 'bs@example.com', 1),"
                        + " ('empty@example.com', '', 1), ('null@example.com', NULL, 1),"
                        + " ('\u00fcber@example.com', '\u00fcmlaut@example.com', 1), ('off@example.com', 'x@example.com', 0),"
                        + " ('list@example.com', 'l1@example.com, l2@example.com', 1), ('nodomain', 'local-only', 1)",
                "INSERT INTO mailboxes VALUES ('joe', 'example.com', 'example.com/joe/', 1000, NULL),"
                        + " ('ann', 'example.org', 'example.org/ann/', NULL, '')");
    }

    @AfterAll
    static void close() throws Exception {
        resources.close();
        if (dir != null) Trees.delete(dir);
    }

    static LookupTable open(String body) throws Exception {
        return open(body, Map.of());
    }

    static LookupTable open(String body, Map<String, String> settings) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body, StandardCharsets.ISO_8859_1);
        return new MysqlType().open(f.toString(), new OpenContext(false, 0, settings::get, resources));
    }

    static String wire(String s) { return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1); }

    @Test
    void virtualDomainSchemas() throws Exception {
        try (LookupTable domains = open(db.cf(DB, "query = SELECT domain FROM domains WHERE domain='%s' AND active = '1'"));
             LookupTable aliases = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s' AND active = 1"));
             LookupTable mailboxes = open(db.cf(DB, "query = SELECT maildir FROM mailboxes WHERE username='%u' AND domain='%d'"))) {
            assertEquals(DictFlags.FIXED, domains.implFlags());
            assertEquals("example.com", domains.lookup("example.com"));
            assertNull(domains.lookup("old.example"));
            assertNull(domains.lookup("nowhere.example"));
            assertEquals("admin@example.com", aliases.lookup("postmaster@example.com"));
            assertEquals("a@example.com,b@example.com", aliases.lookup("multi@example.com"), "rows joined with commas");
            assertEquals("l1@example.com, l2@example.com", aliases.lookup("list@example.com"), "a value is returned as is");
            assertNull(aliases.lookup("off@example.com"));
            assertEquals("example.com/joe/", mailboxes.lookup("joe@example.com"));
            assertNull(mailboxes.lookup("joe"), "%d and a key without @: no query");
            assertEquals(wire("\u00fcmlaut@example.com"), aliases.lookup(wire("\u00fcber@example.com")), "UTF-8 bytes both ways");
        }
    }

    @Test
    void columnsAreJoinedAndNullsAndEmptyFieldsSkipped() throws Exception {
        try (LogCapture log = new LogCapture();
             LookupTable t = open(db.cf(DB, "query = SELECT maildir, quota, extra FROM mailboxes WHERE username='%u' AND domain='%d'"));
             LookupTable a = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'"))) {
            assertEquals("example.com/joe/,1000", t.lookup("joe@example.com"), "NULL extra skipped");
            assertEquals("example.org/ann/", t.lookup("ann@example.org"), "NULL quota and empty extra skipped");
            assertNull(a.lookup("null@example.com"), "only NULL: not found");
            assertNull(a.lookup("empty@example.com"), "only empty: not found");
            assertTrue(log.count("empty lookup result for: \"empty@example.com\" -- ignored") == 1, log.all());
        }
    }

    @Test
    void quotingIsMysqlRealEscapeStringSoKeysCannotInject() throws Exception {
        try (LookupTable a = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'"));
             LookupTable dq = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address=\"%s\""))) {
            assertEquals("quoted@example.com", a.lookup("quote'o@example.com"));
            assertEquals("bs@example.com", a.lookup("back\\slash@example.com"));
            assertEquals("quoted@example.com", dq.lookup("quote'o@example.com"), "double-quoted template");
            assertNull(a.lookup("x' OR '1'='1"));
            assertNull(a.lookup("x\\' OR 1=1 -- "));
            assertNull(dq.lookup("x\" OR \"1\"=\"1"));
        }
    }

    @Test
    void resultFormatAndKeyParts() throws Exception {
        try (LookupTable t = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "result_format = smtp:[%d] %u %S %U %D %1 %2 %%"))) {
            assertEquals("smtp:[example.com] admin postmaster@example.com postmaster example.com com example %",
                    t.lookup("postmaster@example.com"));
            assertEquals("smtp:[example.com] a multi@example.com multi example.com com example %,"
                    + "smtp:[example.com] b multi@example.com multi example.com com example %", t.lookup("multi@example.com"));
        }
        try (LookupTable t = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "result_format = %d"))) {
            assertNull(t.lookup("nodomain"), "a result without @ is skipped for %d");
        }
        try (LookupTable t = open(db.cf(DB, "query = SELECT domain FROM domains WHERE domain='%2.%1'"))) {
            assertEquals("example.com", t.lookup("user@mail.example.com"));
            assertNull(t.lookup("user@com"), "too few labels: no query");
        }
        try (LookupTable t = open(db.cf(DB, "query = SELECT domain FROM domains WHERE domain='%3.%2.%1' OR domain='%2.%1'"))) {
            assertNull(t.lookup("user@example.com"), "the highest %n counts: two labels are too few");
        }
    }

    @Test
    void expansionLimitExceededIsRetry() throws Exception {
        String q = "query = SELECT goto FROM aliases WHERE address='%s'";
        try (LogCapture log = new LogCapture(); LookupTable one = open(db.cf(DB, q, "expansion_limit = 1"));
             LookupTable two = open(db.cf(DB, q, "expansion_limit = 2"))) {
            var e = assertThrows(TableException.class, () -> one.lookup("multi@example.com"));
            assertEquals(Status.RETRY, e.status());
            assertTrue(log.count("Expansion limit exceeded for key: 'multi@example.com'") == 1, log.all());
            assertEquals("admin@example.com", one.lookup("postmaster@example.com"));
            assertEquals("a@example.com,b@example.com", two.lookup("multi@example.com"));
        }
    }

    @Test
    void domainListSkipsOtherDomainsWithoutAQuery() throws Exception {
        // the query names a missing table: any query would fail with RETRY
        String bad = "query = SELECT x FROM no_such_table WHERE y='%s'";
        Path list = dir.resolve("domains.list");
        Files.writeString(list, "# listed\nexample.net\n");
        Path th = dir.resolve("domains.th");
        Files.writeString(th, "example.info OK\n");
        try (LookupTable t = open(db.cf(DB, bad, "domain = Example.COM, " + list + " texthash:" + th))) {
            assertNull(t.lookup("someone@example.org"));
            assertNull(t.lookup("example.com"), "no @");
            assertNull(t.lookup("@example.com"), "empty local part");
            assertThrows(TableException.class, () -> t.lookup("a@example.com"), "listed string: queried");
            assertThrows(TableException.class, () -> t.lookup("a@example.net"), "from /file: queried");
            assertThrows(TableException.class, () -> t.lookup("a@example.info"), "from a table: queried");
        }
        try (LookupTable t = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "domain = !example.com example.com"))) {
            assertNull(t.lookup("postmaster@example.com"), "the first matching item decides");
        }
    }

    @Test
    void requireResultSet() throws Exception {
        try (LogCapture log = new LogCapture(); LookupTable yes = open(db.cf(DB, "query = DO '%s'"));
             LookupTable no = open(db.cf(DB, "query = DO '%s'", "require_result_set = no"))) {
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> yes.lookup("k")).status());
            assertTrue(log.count("require_result_set = yes") >= 1, log.all());
            assertNull(no.lookup("k"));
        }
    }

    @Test
    void legacyFields() throws Exception {
        try (LookupTable t = open(db.cf(DB, "table = aliases", "select_field = goto", "where_field = address",
                "additional_conditions = AND active = 1"))) {
            assertEquals("admin@example.com", t.lookup("postmaster@example.com"));
            assertNull(t.lookup("off@example.com"));
        }
    }

    @Test
    void hostForms() throws Exception {
        String q = "query = SELECT goto FROM aliases WHERE address='%s'";
        String rest = "user = " + db.user + "\npassword = " + db.password + "\ndbname = " + DB + "\n" + q + "\n";
        for (String hosts : new String[] {"unix:" + db.socket, "inet:127.0.0.1:" + db.port, "127.0.0.1:" + db.port,
                // a dead host first, in random order: the live one answers
                "127.0.0.1:1, 127.0.0.1:" + db.port}) {
            try (LookupTable t = open("hosts = " + hosts + "\n" + rest)) {
                assertEquals("admin@example.com", t.lookup("postmaster@example.com"), hosts);
            }
        }
    }

    @Test
    void optionFileSuppliesCredentials() throws Exception {
        Path my = dir.resolve("my.cnf");
        Files.writeString(my, "[client]\nuser = nobody\n[pmgroup]\nuser = " + db.user + "\npassword = " + db.password + "\n");
        try (LookupTable t = open("hosts = 127.0.0.1:" + db.port + "\ndbname = " + DB + "\noption_file = " + my
                + "\noption_group = pmgroup\nquery = SELECT goto FROM aliases WHERE address='%s'\n")) {
            assertEquals("admin@example.com", t.lookup("postmaster@example.com"));
        }
    }

    @Test
    void latin1CharsetTranscodesKeysAndResults() throws Exception {
        try (LookupTable t = open(db.cf(DB, "charset = latin1", "query = SELECT goto FROM aliases WHERE address='%s'"))) {
            String latin1Key = new String("\u00fcber@example.com".getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1);
            assertEquals("\u00fcmlaut@example.com", t.lookup(latin1Key), "one byte 0xFC each way");
        }
    }

    @Test
    void badSqlIsRetryWithTheFileAndTheDatabaseErrorButNeverThePassword() throws Exception {
        db.sql(DB, "CREATE USER IF NOT EXISTS 'pmsecret'@'127.0.0.1' IDENTIFIED BY 'Zq9-secret-pw'",
                "GRANT SELECT ON " + DB + ".* TO 'pmsecret'@'127.0.0.1'");
        String cf = "hosts = 127.0.0.1:" + db.port + "\nuser = pmsecret\ndbname = " + DB + "\n";
        try (LogCapture log = new LogCapture()) {
            try (LookupTable t = open(cf + "password = Zq9-secret-pw\nquery = SELECT goto FROM no_such_table WHERE a='%s'\n")) {
                assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("k")).status());
                assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("k2")).status());
            }
            assertTrue(log.lines.stream().anyMatch(l -> l.contains(dir.toString()) && l.contains("query failed")
                    && l.contains("no_such_table") && l.contains("doesn't exist")), log.all());
            assertEquals(1, log.count("query failed"), "the same failure is not logged on every lookup");
            try (LookupTable t = open(cf + "password = Wrong-secret-pw\nquery = SELECT goto FROM aliases WHERE address='%s'\n")) {
                assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("k")).status());
            }
            assertTrue(log.count("Access denied") >= 1, log.all());
            assertFalse(log.all().contains("Zq9-secret-pw") || log.all().contains("Wrong-secret-pw"), log.all());
        }
    }

    @Test
    void fatalConfigurationOpensNothing() throws Exception {
        var e = assertThrows(TableOpenException.class, () -> open("hosts = 127.0.0.1:" + db.port + "\nquery = SELECT 1\n"));
        assertTrue(e.getMessage().contains("dbname"), e.getMessage());
    }

    @Test
    void tablesWithTheSameTargetShareOnePoolAndItClosesWithTheLast() throws Exception {
        SharedResources own = new SharedResources();
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'"));
        Path g = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(g, db.cf(DB, "query = SELECT domain FROM domains WHERE domain='%s'"));
        OpenContext ctx = new OpenContext(false, 0, n -> null, own);
        LookupTable a = new MysqlType().open(f.toString(), ctx);
        LookupTable b = new MysqlType().open(g.toString(), ctx);
        a.lookup("postmaster@example.com");
        b.lookup("example.com");
        var pools = own.snapshot().values().stream().filter(r -> r instanceof PooledResource).toList();
        assertEquals(1, pools.size(), "one pool for both tables");
        var info = ((PooledResource) pools.get(0)).poolStats();
        assertEquals(db.user + "@inet:127.0.0.1:" + db.port + "/" + DB, info.target());
        assertEquals(1, info.idle() + info.active(), "both lookups used the same connection");
        a.close();
        assertSame(pools.get(0), own.snapshot().values().stream().filter(r -> r instanceof PooledResource).findFirst().orElseThrow());
        b.close();
        assertTrue(own.snapshot().isEmpty(), "the last table released the pool and the budget");
    }

    @Test
    void checkValidatesTheDefinitionAndProbeTheDatabase() throws Exception {
        OpenContext ctx = new OpenContext(false, 0, n -> null, new SharedResources());
        Path bad = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(bad, "hosts = 127.0.0.1:1\nquery = SELECT 1 FROM dual WHERE '%s'\n");
        var problems = new MysqlType().check(bad.toString(), ctx);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(bad.toString()) && problems.get(0).contains("dbname"), problems.get(0));
        Path down = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(down, "hosts = 127.0.0.1:1\ndbname = x\nquery = SELECT 1 FROM dual WHERE '%s'\n");
        assertEquals(java.util.List.of(), new MysqlType().check(down.toString(), ctx), "check does not connect");
        problems = new MysqlType().probe(down.toString(), ctx);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains(down.toString()) && problems.get(0).contains("127.0.0.1:1"), problems.get(0));
        Path g = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(g, db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'"));
        assertEquals(java.util.List.of(), new MysqlType().probe(g.toString(), ctx));
        // what a table is made of: the .cf file and the files it names
        Path my = dir.resolve("fp.cnf");
        Files.writeString(my, "[client]\n");
        Files.writeString(g, db.cf(DB, "query = SELECT 1 WHERE '%s'", "option_file = " + my));
        String before = new MysqlType().fingerprint(g.toString(), ctx);
        Files.writeString(my, "[client]\nuser = other\n");
        assertTrue(!before.equals(new MysqlType().fingerprint(g.toString(), ctx)), "an option file change re-opens the table");
    }

    static Map<String, String> settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
