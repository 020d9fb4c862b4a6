package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.testing.Require;

/** sqlite tables on a database made here with Debian's sqlite3 shell. */
class SqliteTableTest {
    @TempDir
    Path dir;
    private Path db;
    private final SqliteType type = new SqliteType();
    private final OpenContext ro = new OpenContext(false, 0, n -> null, new SharedResources());

    /** Runs {@code sql} in Debian's sqlite3 shell on {@code db}. */
    static void sqlite3(Path db, String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Require.executable("/usr/bin/sqlite3").toString(), "-bail", db.toString())
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(sql.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    @BeforeEach
    void makeDatabase() throws Exception {
        db = dir.resolve("mail.sqlite");
        sqlite3(db, """
                CREATE TABLE alias (address TEXT, goto TEXT);
                INSERT INTO alias VALUES ('alice@example.com', 'alice@mailhost.example.com');
                INSERT INTO alias VALUES ('list@example.com', 'a@example.net');
                INSERT INTO alias VALUES ('list@example.com', NULL);
                INSERT INTO alias VALUES ('list@example.com', '');
                INSERT INTO alias VALUES ('list@example.com', 'b@example.net');
                INSERT INTO alias VALUES ('o''brien@example.com', 'quoted');
                INSERT INTO alias VALUES ('jürgen@example.com', 'utf8');
                INSERT INTO alias VALUES ('nul@example.com', CAST(X'616200636400' AS TEXT));
                CREATE TABLE domains (domain TEXT, a TEXT, b TEXT);
                INSERT INTO domains VALUES ('example.com', 'first-column', 'second-column');
                """);
    }

    private String cf(String body) throws IOException {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, "dbpath = " + db + "\n" + body);
        return f.toString();
    }

    private LookupTable open(String body) throws Exception {
        return type.open(cf(body), ro);
    }

    @Test
    void hitsMissesAndRowsJoinedWithCommas() throws Exception {
        try (LookupTable t = open("query = SELECT goto FROM alias WHERE address='%s'\n")) {
            assertEquals("alice@mailhost.example.com", t.lookup("alice@example.com"));
            assertNull(t.lookup("nobody@example.com"));
            // NULL skipped silently, '' skipped with a warning, the rest joined
            try (LogCapture logs = new LogCapture()) {
                assertEquals("a@example.net,b@example.net", t.lookup("list@example.com"));
                assertEquals(1, logs.count("empty lookup result for: \"list@example.com\""), logs.all());
            }
        }
    }

    @Test
    void onlyColumnZeroAndTheFirstStatement() throws Exception {
        try (LookupTable t = open("query = SELECT a, b FROM domains WHERE domain='%s'; DELETE FROM domains\n")) {
            assertEquals("first-column", t.lookup("example.com"));
            assertEquals("first-column", t.lookup("example.com"), "the second statement never ran");
        }
    }

    @Test
    void quotesAsPercentQ() throws Exception {
        try (LookupTable t = open("query = SELECT goto FROM alias WHERE address='%s'\n")) {
            assertEquals("quoted", t.lookup("o'brien@example.com"));
            assertNull(t.lookup("x' OR '1'='1"), "an injection attempt is a plain string");
        }
    }

    @Test
    void utf8KeysAndNonUtf8KeysAsPostfix() throws Exception {
        try (LookupTable t = open("query = SELECT goto FROM alias WHERE address='%s'\n")) {
            String utf8 = new String("jürgen@example.com".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            assertEquals("utf8", t.lookup(utf8));
            String latin1 = "j\u00fcrgen@example.com"; // the byte 0xFC alone: not UTF-8, not found without a query
            assertNull(t.lookup(latin1));
        }
    }

    @Test
    void textEndsAtNulAsInC() throws Exception {
        try (LookupTable t = open("query = SELECT goto FROM alias WHERE address='%s'\n")) {
            assertEquals("ab", t.lookup("nul@example.com"));
        }
    }

    @Test
    void percentExpansionsResultFormatAndDomain() throws Exception {
        try (LookupTable t = open("""
                query = SELECT '%u|%d|%1|%2|%%' FROM domains WHERE domain='%d'
                result_format = <%s> for %U
                domain = example.com
                """)) {
            assertEquals("<alice|example.com|com|example|%> for alice", t.lookup("alice@example.com"));
            assertNull(t.lookup("alice@other.example"), "domain filter: no query");
            assertNull(t.lookup("example.com"), "no domain part: no query");
        }
    }

    @Test
    void legacyQueryFields() throws Exception {
        try (LookupTable t = open("table = alias\nselect_field = goto\nwhere_field = address\nadditional_conditions = AND goto <> 'x'\n")) {
            assertEquals("alice@mailhost.example.com", t.lookup("alice@example.com"));
        }
    }

    @Test
    void expansionLimitIsRetry() throws Exception {
        try (LookupTable t = open("query = SELECT goto FROM alias WHERE address='%s'\nexpansion_limit = 1\n")) {
            assertEquals("alice@mailhost.example.com", t.lookup("alice@example.com"));
            TableException e = assertThrows(TableException.class, () -> t.lookup("list@example.com"));
            assertEquals(Status.RETRY, e.status());
        }
    }

    @Test
    void badQueryIsRetryWithTheReason() throws Exception {
        try (LookupTable t = open("query = SELECT goto FROM no_such_table WHERE address='%s'\n");
             LogCapture logs = new LogCapture()) {
            TableException e = assertThrows(TableException.class, () -> t.lookup("alice@example.com"));
            assertEquals(Status.RETRY, e.status());
            assertTrue(e.getMessage().contains("no such table: no_such_table"), e.getMessage());
            assertEquals(1, logs.count("SQL prepare failed: no such table: no_such_table"), logs.all());
        }
    }

    @Test
    void lockedDatabaseIsRetryNotAHang() throws Exception {
        try (LookupTable t = open("query = SELECT goto FROM alias WHERE address='%s'\n")) {
            assertEquals("alice@mailhost.example.com", t.lookup("alice@example.com"));
            Process writer = new ProcessBuilder("/usr/bin/sqlite3", db.toString()).redirectErrorStream(true).start();
            try {
                OutputStream in = writer.getOutputStream();
                in.write("BEGIN EXCLUSIVE;\nINSERT INTO alias VALUES ('x', 'y');\nSELECT 'locked';\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                byte[] want = "locked\n".getBytes(StandardCharsets.UTF_8);
                assertEquals("locked", new String(writer.getInputStream().readNBytes(want.length), StandardCharsets.UTF_8).strip());
                long start = System.nanoTime();
                TableException e = assertThrows(TableException.class, () -> t.lookup("alice@example.com"));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(Status.RETRY, e.status());
                assertTrue(e.getMessage().contains("locked"), e.getMessage());
                assertTrue(millis < 2000, "answered in " + millis + " ms");
                in.write("ROLLBACK;\n.quit\n".getBytes(StandardCharsets.UTF_8));
                in.close();
                assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
            } finally {
                writer.destroyForcibly();
            }
            assertEquals("alice@mailhost.example.com", t.lookup("alice@example.com"), "serves again once the lock is gone");
        }
    }

    @Test
    void readOnlyAndOpenErrors() throws Exception {
        String f = cf("query = SELECT goto FROM alias WHERE address='%s'\n");
        var w = assertThrows(TableOpenException.class, () -> type.open(f, new OpenContext(true, 0, n -> null, new SharedResources())));
        assertEquals("sqlite:" + f + " map requires O_RDONLY access mode", w.getMessage());
        Path missing = dir.resolve("missing.sqlite");
        Path g = Files.writeString(dir.resolve("missing.cf"), "dbpath = " + missing + "\nquery = SELECT 1\n");
        var e = assertThrows(TableOpenException.class, () -> type.open(g.toString(), ro));
        assertTrue(e.getMessage().contains("unable to open database file"), e.getMessage());
        assertTrue(!Files.exists(missing), "opened read-only: nothing created");
    }

    @Test
    void reloadSeesTheDefinitionAndTheDatabaseAppear() throws Exception {
        Path later = dir.resolve("later.sqlite");
        Path f = Files.writeString(dir.resolve("later.cf"), "dbpath = " + later + "\nquery = SELECT 1\n");
        String before = type.fingerprint(f.toString(), ro);
        sqlite3(later, "CREATE TABLE x (a TEXT);");
        String after = type.fingerprint(f.toString(), ro);
        assertTrue(!after.equals(before), "a database that appears re-opens a surrogate");
        Files.writeString(f, "dbpath = " + later + "\nquery = SELECT 2\n");
        assertTrue(!type.fingerprint(f.toString(), ro).equals(after), "a changed .cf re-opens the table");
    }

    @Test
    void checkNamesFileAndLine() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.cf"), "# a comment\nquery = SELECT '%x'\n");
        List<String> p = type.check(f.toString(), ro);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(f + ": parameter dbpath must not be empty"), p.get(0));
        Files.writeString(f, "dbpath = " + db + "\n# a comment\nquery = SELECT '%x'\n");
        p = type.check(f.toString(), ro);
        assertTrue(p.get(0).startsWith(f + ", line 3: invalid query template"), p.toString());
        Files.writeString(f, "dbpath = " + db + "\nexpansion_limit = many\nquery = SELECT 1\n");
        assertTrue(type.check(f.toString(), ro).get(0).startsWith(f + ", line 2: bad numerical configuration"));
        Files.writeString(f, "dbpath = " + db + "\nquery = SELECT goto FROM nope WHERE a='%s'\n");
        assertEquals(List.of(), type.check(f.toString(), ro));
        assertTrue(type.probe(f.toString(), ro).get(0).contains("no such table: nope"), type.probe(f.toString(), ro).toString());
    }
}
