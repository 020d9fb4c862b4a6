package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.table.PoolStats;
import org.proxymap.protocol.DictFlags;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.testing.TestPg;
import org.proxymap.testing.Trees;

/** pgsql_table(5) semantics against a real PostgreSQL: schemas, every parameter, quoting, encodings, errors. */
class PgsqlTableTest {
    static TestPg db;
    static Path dir;
    static final SharedResources resources = new SharedResources();
    static final String DB = "pmvirt";

    @BeforeAll
    static void schema() throws Exception {
        db = TestPg.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pmcf");
        db.freshDatabase(DB,
                "CREATE TABLE domains (domain TEXT PRIMARY KEY, active BOOLEAN)",
                "CREATE TABLE aliases (address TEXT, goto TEXT, active INT)",
                "CREATE TABLE mailboxes (username TEXT, domain TEXT, maildir TEXT, quota BIGINT, extra TEXT)",
                "INSERT INTO domains VALUES ('example.com', true), ('example.org', true), ('old.example', false)",
                "INSERT INTO aliases VALUES ('postmaster@example.com', 'admin@example.com', 1),"
                        + " ('multi@example.com', 'a@example.com', 1), ('multi@example.com', 'b@example.com', 1),"
                        + " ('quote''o@example.com', 'quoted@example.com', 1), ('back\\slash@example.com', 'bs@example.com', 1),"
                        + " ('empty@example.com', '', 1), ('null@example.com', NULL, 1),"
                        + " ('\u00fcber@example.com', '\u00fcmlaut@example.com', 1), ('\u00c3\u00bcber@example.com', 'latin1-view@example.com', 1),"
                        + " ('cafe@example.com', 'caf\u00e9@example.com', 1), ('euro@example.com', '\u20ac@example.com', 1),"
                        + " ('off@example.com', 'x@example.com', 0),"
                        + " ('list@example.com', 'l1@example.com, l2@example.com', 1), ('nodomain', 'local-only', 1)",
                "INSERT INTO mailboxes VALUES ('joe', 'example.com', 'example.com/joe/', 1000, NULL),"
                        + " ('ann', 'example.org', 'example.org/ann/', NULL, '')",
                "CREATE SEQUENCE tries",
                "CREATE FUNCTION lookup_alias(a TEXT) RETURNS TEXT AS $$ SELECT goto FROM aliases WHERE address = a $$ LANGUAGE sql");
    }

    @AfterAll
    static void close() throws Exception {
        resources.close();
        if (dir != null) Trees.delete(dir);
    }

    static LookupTable open(String body) throws Exception {
        return open(body, Map.of());
    }

    static LookupTable open(String body, java.nio.charset.Charset fileCharset) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body, fileCharset);
        return new PgsqlType().open(f.toString(), new OpenContext(false, 0, k -> null, resources));
    }

    static LookupTable open(String body, Map<String, String> settings) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body, StandardCharsets.ISO_8859_1);
        return new PgsqlType().open(f.toString(), new OpenContext(false, 0, settings::get, resources));
    }

    /** The bytes a Postfix client sends for {@code s} (UTF-8), as the ISO-8859-1 string the tables see. */
    static String wire(String s) { return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1); }

    static long tries() throws Exception {
        try (Connection c = db.connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT last_value + CASE WHEN is_called THEN 0 ELSE -1 END FROM tries")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void virtualDomainSchemas() throws Exception {
        try (LookupTable domains = open(db.cf(DB, "query = SELECT domain FROM domains WHERE domain='%s' AND active"));
             LookupTable aliases = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s' AND active = 1"));
             LookupTable mailboxes = open(db.cf(DB, "query = SELECT maildir FROM mailboxes WHERE username='%u' AND domain='%d'"))) {
            assertEquals(DictFlags.FIXED, domains.implFlags());
            assertEquals("example.com", domains.lookup("example.com"));
            assertNull(domains.lookup("old.example"));
            assertEquals("admin@example.com", aliases.lookup("postmaster@example.com"));
            assertEquals("a@example.com,b@example.com", sorted(aliases.lookup("multi@example.com")));
            assertEquals("l1@example.com, l2@example.com", aliases.lookup("list@example.com"));
            assertNull(aliases.lookup("off@example.com"));
            assertNull(aliases.lookup("nobody@example.com"));
            assertEquals("example.com/joe/", mailboxes.lookup("joe@example.com"));
            assertNull(mailboxes.lookup("joe"), "%d needs a domain: no query");
        }
    }

    static String sorted(String v) { return v == null ? null : String.join(",", java.util.Arrays.stream(v.split(",")).sorted().toList()); }

    @Test
    void nullColumnsAreEmptyStringsWithPostfixsWarning() throws Exception {
        try (LogCapture log = new LogCapture();
             LookupTable t = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'"));
             LookupTable cols = open(db.cf(DB, "query = SELECT maildir, quota, extra FROM mailboxes WHERE username='%u'"))) {
            assertNull(t.lookup("null@example.com"));
            assertNull(t.lookup("empty@example.com"));
            assertEquals("example.com/joe/,1000", cols.lookup("joe@example.com"));
            assertEquals("example.org/ann/", cols.lookup("ann@example.org"));
            assertTrue(log.count("\": empty lookup result for: \"null@example.com\" -- ignored") == 1, log.all());
            assertTrue(log.count("empty lookup result for: \"joe@example.com\"") == 1, log.all());
        }
    }

    @Test
    void quotingAsPQescapeStringConn() throws Exception {
        try (LookupTable t = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'"))) {
            assertEquals("quoted@example.com", t.lookup("quote'o@example.com"));
            assertEquals("bs@example.com", t.lookup("back\\slash@example.com"));
            assertNull(t.lookup("x' OR '1'='1"));
            assertNull(t.lookup("x\\' OR 1=1 --"));
        }
        // standard_conforming_strings off: a backslash is an escape and must be doubled
        db.sql(DB, "ALTER DATABASE " + DB + " SET standard_conforming_strings = off", "SET escape_string_warning = off");
        try (LookupTable t = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "idle_interval = 7"))) {
            assertEquals("bs@example.com", t.lookup("back\\slash@example.com"));
            assertEquals("quoted@example.com", t.lookup("quote'o@example.com"));
            assertNull(t.lookup("x\\' OR 1=1 --"));
        } finally {
            db.sql(DB, "ALTER DATABASE " + DB + " RESET standard_conforming_strings");
        }
    }

    @Test
    void latin1ClientEncodingAsPostfix37() throws Exception {
        try (LookupTable t = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "retry_interval = 1"))) {
            // the UTF-8 key's bytes read as LATIN1: they match the row stored as their Latin-1 reading, not the UTF-8 one
            assertEquals("latin1-view@example.com", t.lookup(wire("\u00fcber@example.com")));
            // a result Latin-1 can hold comes back in Latin-1 (one byte E9)
            assertEquals("caf\u00e9@example.com", t.lookup("cafe@example.com"));
            // one it cannot hold fails the query, as the server's conversion does
            TableException e = assertThrows(TableException.class, () -> t.lookup("euro@example.com"));
            assertEquals(Status.RETRY, e.status());
            assertTrue(e.getMessage().contains("has no equivalent in encoding \"LATIN1\""), e.getMessage());
        }
    }

    @Test
    void utf8ClientEncodingAsPostfix38() throws Exception {
        try (LookupTable t = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "encoding = UTF8"));
             LookupTable byDefault = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'"),
                     Map.of("proxymap_pgsql_default_encoding", "UTF8"))) {
            for (LookupTable x : List.of(t, byDefault)) {
                assertEquals(wire("\u00fcmlaut@example.com"), x.lookup(wire("\u00fcber@example.com")));
                assertEquals(wire("\u20ac@example.com"), x.lookup("euro@example.com"));
            }
            // a UTF-8 literal in the template is read as UTF8 too
            try (LookupTable literal = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s' AND goto LIKE '%%\u00fc%%'",
                    "encoding = utf-8"), StandardCharsets.UTF_8);
                 LookupTable asLatin1 = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s' AND goto LIKE '%%\u00fc%%'"),
                         StandardCharsets.UTF_8)) {
                assertEquals(wire("\u00fcmlaut@example.com"), literal.lookup(wire("\u00fcber@example.com")));
                assertNull(asLatin1.lookup(wire("\u00fcber@example.com")), "LATIN1 reads the template's UTF-8 bytes as two characters");
            }
            // bytes that are not UTF-8 cannot be escaped: the query fails (and Postfix marks the host down)
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("\u00fc\u00ff@example.com")).status());
        }
    }

    @Test
    void anyQueryErrorKeepsTheTableFromTheHostForRetryInterval() throws Exception {
        String failing = "query = SELECT 1 / (nextval('tries') * 0) FROM aliases WHERE address='%s'";
        try (LogCapture log = new LogCapture();
             LookupTable bad = open(db.cf(DB, failing, "retry_interval = 2"));
             LookupTable good = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "retry_interval = 2"))) {
            long before = tries();
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> bad.lookup("postmaster@example.com")).status());
            // a single host is tried twice, as Postfix 3.10 lists a lone load balancer twice
            assertEquals(before + 2, tries());
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> bad.lookup("postmaster@example.com")).status());
            assertEquals(before + 2, tries(), "held back: no query within retry_interval");
            // the other table on the same pool is not affected
            assertEquals("admin@example.com", good.lookup("postmaster@example.com"));
            Thread.sleep(2100);
            assertThrows(TableException.class, () -> bad.lookup("postmaster@example.com"));
            assertEquals(before + 4, tries(), "tried again after retry_interval");
            assertTrue(log.all().contains("pgsql query failed: fatal error from host inet:" + db.host + ":" + db.port
                    + ": ERROR: division by zero"), log.all());
            assertTrue(log.count("is down") == 0, "the server was not marked down: " + log.all());
        }
    }

    @Test
    void resultFormatExpansionLimitAndDomain() throws Exception {
        try (LookupTable fmt = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%u@%d'",
                "result_format = <%u|%d|%S|%U|%D|%1|%2>"));
             LookupTable limited = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "expansion_limit = 1"));
             LookupTable dom = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'", "domain = example.org, !example.net, example.com"))) {
            assertEquals("<admin|example.com|postmaster@example.com|postmaster|example.com|com|example>", fmt.lookup("postmaster@example.com"));
            assertEquals("admin@example.com", limited.lookup("postmaster@example.com"));
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> limited.lookup("multi@example.com")).status());
            assertEquals("admin@example.com", dom.lookup("postmaster@example.com"));
            assertNull(dom.lookup("nodomain"));
            assertNull(dom.lookup("@example.com"));
        }
    }

    @Test
    void legacyQueryInterfaces() throws Exception {
        try (LookupTable fn = open(db.cf(DB, "select_function = lookup_alias", "table = ignored"));
             LookupTable fields = open(db.cf(DB, "table = aliases", "select_field = goto", "where_field = address",
                     "additional_conditions = AND active = 1"));
             LookupTable precedence = open(db.cf(DB, "query = SELECT 'from-query'", "select_function = lookup_alias"))) {
            assertEquals("admin@example.com", fn.lookup("postmaster@example.com"));
            assertNull(fn.lookup("nobody@example.com"), "SELECT fn('x') returns one NULL row: skipped");
            assertEquals("admin@example.com", fields.lookup("postmaster@example.com"));
            assertNull(fields.lookup("off@example.com"));
            assertEquals("from-query", precedence.lookup("anything"));
        }
    }

    @Test
    void theLastStatementsResultCountsAsWithPQexec() throws Exception {
        try (LookupTable t = open(db.cf(DB, "query = SELECT 'first'; SELECT goto FROM aliases WHERE address='%s'"));
             LookupTable update = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'; SET search_path = public"))) {
            assertEquals("admin@example.com", t.lookup("postmaster@example.com"));
            assertNull(t.lookup("nobody@example.com"));
            assertNull(update.lookup("postmaster@example.com"), "the last command returned no rows");
        }
    }

    @Test
    void unixSocketAndUriHosts() throws Exception {
        String q = "query = SELECT goto FROM aliases WHERE address='%s'";
        String creds = "user = " + db.user + "\npassword = " + db.password + "\n";
        try (LookupTable unix = open("hosts = unix:" + db.socketDir + ":" + "\n" + creds + "dbname = " + DB + "\n" + q);
             LookupTable plainDir = open("hosts = " + db.socketDir + "\n" + creds + "dbname = " + DB + "\n" + q)) {
            // the socket file is DIR/.s.PGSQL.5432 unless a port is given: a port can only come from a URI here
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> unix.lookup("postmaster@example.com")).status());
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> plainDir.lookup("postmaster@example.com")).status());
        }
        // a directory whose .s.PGSQL.5432 is the server's socket: unix:/dir as Postfix users write it
        Path sockets = Files.createTempDirectory(Path.of("/tmp"), "pmsock");
        Files.createSymbolicLink(sockets.resolve(".s.PGSQL.5432"), Path.of(db.socketDir, ".s.PGSQL." + db.port));
        try (LookupTable unix = open("hosts = unix:" + sockets + "\n" + creds + "dbname = " + DB + "\n" + q);
             LookupTable both = open("hosts = inet:" + db.host + ":" + db.port + ", " + sockets + "\n" + creds + "dbname = " + DB + "\n" + q)) {
            assertEquals("admin@example.com", unix.lookup("postmaster@example.com"));
            for (int i = 0; i < 5; i++) assertEquals("admin@example.com", both.lookup("postmaster@example.com"));
            assertEquals(sockets.toString(), pool(both).poolStats().hostInUse(), "UNIX sockets are preferred");
        } finally {
            Trees.delete(sockets);
        }
        try (LookupTable uriTcp = open("hosts = postgresql://" + db.user + ":" + db.password + "@" + db.host + ":" + db.port + "/" + DB
                     + "?sslmode=disable&application_name=pm\n" + q);
             LookupTable uriUnix = open("hosts = postgres://" + db.user + ":" + db.password + "@/" + DB + "?host=" + db.socketDir
                     + "&port=" + db.port + "\nuser = ignored\ndbname = ignored\n" + q)) {
            assertEquals("admin@example.com", uriTcp.lookup("postmaster@example.com"));
            assertEquals("admin@example.com", uriUnix.lookup("postmaster@example.com"));
            PoolStats info = pool(uriUnix).poolStats();
            assertTrue(info.target().contains(":*****@") && !info.target().contains(db.password + "@"), "no password in JMX: " + info.target());
            assertTrue(info.maxTotal() >= 1 && info.created() >= 1, info.toString());
        }
    }

    @Test
    void tablesOfOneTargetShareAPool() throws Exception {
        try (LookupTable a = open(db.cf(DB, "query = SELECT goto FROM aliases WHERE address='%s'"));
             LookupTable b = open(db.cf(DB, "query = SELECT domain FROM domains WHERE domain='%s'"))) {
            assertEquals("admin@example.com", a.lookup("postmaster@example.com"));
            assertEquals("example.com", b.lookup("example.com"));
            SqlPool pa = pool(a), pb = pool(b);
            assertSame(pa, pb);
            PoolStats info = pa.poolStats();
            assertEquals(db.user + "@inet:" + db.host + ":" + db.port + "/" + DB, info.target());
            assertTrue(info.idle() + info.active() >= 1, info.toString());
        }
    }

    static SqlPool pool(LookupTable t) throws Exception {
        var f = PgsqlTable.class.getDeclaredField("pool");
        f.setAccessible(true);
        return (SqlPool) f.get(t);
    }
}
