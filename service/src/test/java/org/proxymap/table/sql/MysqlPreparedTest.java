package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.testing.Trees;

/**
 * The prepared path (issue 17 item 7) against a real MariaDB: the same answer as the text
 * query for hostile keys, the text query kept where binding is not provably the same, and
 * the server really executing a prepared statement.
 */
class MysqlPreparedTest {
    static TestDb db;
    static Path dir;
    static final SharedResources resources = new SharedResources();
    static final String DB = "pmprep";
    /** Client bytes (ISO-8859-1 strings standing for them), as proxymap receives keys. */
    static final List<String> HOSTILE = new ArrayList<>(List.of("plain", "o'brien", "back\\slash", "\\'", "''", "'", "\\",
            "%", "_", "a%c", "a_c", "abc", "x' OR '1'='1", "dq\"uote", "ctl\032z", "new\nline", "cr\rx", "trail ", "TRAIL",
            wire("\u00fcber"), wire("\u00dcBER"), wire("emoji\ud83d\ude00"), "latin1-\u00fc", "?", "$1", "{fn now()}", "%s",
            "a".repeat(250), "b".repeat(5000), "x@y@example.com", "@example.com", "user@"));

    @BeforeAll
    static void schema() throws Exception {
        db = TestDb.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pmprep");
        db.sql(DB, "CREATE OR REPLACE TABLE kv (k VARCHAR(255), v TEXT) CHARSET utf8mb4 COLLATE utf8mb4_general_ci",
                "CREATE OR REPLACE TABLE kb (k VARBINARY(255), v BLOB)",
                "CREATE OR REPLACE TABLE kl (k VARCHAR(255), v VARCHAR(255)) CHARSET latin1",
                "CREATE OR REPLACE TABLE kn (k VARCHAR(255), n INT, f DOUBLE)",
                "INSERT INTO kn VALUES ('one', 1, 1e20)");
        try (Connection c = db.connect(DB);
             PreparedStatement kv = c.prepareStatement("INSERT INTO kv VALUES (?, ?)");
             PreparedStatement kb = c.prepareStatement("INSERT INTO kb VALUES (?, ?)");
             PreparedStatement kl = c.prepareStatement("INSERT INTO kl VALUES (?, ?)")) {
            for (int i = 0; i < HOSTILE.size(); i++) {
                String text = new String(HOSTILE.get(i).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
                if (i % 7 == 3) continue; // some keys have no row
                kv.setString(1, text.length() > 255 ? text.substring(0, 255) : text);
                kv.setString(2, "v" + i);
                kv.execute();
                kb.setBytes(1, HOSTILE.get(i).substring(0, Math.min(255, HOSTILE.get(i).length())).getBytes(StandardCharsets.ISO_8859_1));
                kb.setBytes(2, ("b" + i + "\u00ff").getBytes(StandardCharsets.ISO_8859_1));
                kb.execute();
                if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(text)) {
                    kl.setString(1, text.length() > 255 ? text.substring(0, 255) : text);
                    kl.setString(2, "l" + i);
                    kl.execute();
                }
            }
        }
    }

    @AfterAll
    static void close() throws Exception {
        resources.close();
        if (dir != null) Trees.delete(dir);
    }

    static String wire(String s) { return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1); }

    static LookupTable open(String query, String... extra) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, db.cf(DB, "query = " + query) + String.join("\n", extra) + "\n", StandardCharsets.ISO_8859_1);
        return new MysqlType().open(f.toString(), new OpenContext(false, 0, Map.of("proxymap_sql_query_timeout", "1s")::get, resources));
    }

    static long status(String name) throws Exception {
        try (Connection c = db.connect(""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
            assertTrue(rs.next(), name);
            return rs.getLong(2);
        }
    }

    /** The answer, or the status a failed lookup gave. */
    static String answer(LookupTable t, String key) {
        try {
            return t.lookup(key);
        } catch (TableException e) {
            return "<" + e.status() + ">";
        }
    }

    /** Looks every hostile key up through {@code prepared} and its text twin; returns how many were found. */
    static int sameAnswers(String prepared, String text, String... extra) throws Exception {
        assertNotNull(PreparedQuery.of(prepared), prepared);
        assertNull(PreparedQuery.of(text), text);
        int found = 0;
        try (LookupTable p = open(prepared, extra); LookupTable t = open(text, extra)) {
            for (String key : HOSTILE) {
                String a = answer(p, key);
                assertEquals(answer(t, key), a, "key " + key);
                if (a != null && !a.startsWith("<")) found++;
            }
        }
        return found;
    }

    @Test
    void boundValuesFindTheSameRowsAsTheTextQuery() throws Exception {
        long executes = status("Com_stmt_execute");
        // the trailing comment keeps the twin on the text query, which is otherwise the same
        int found = sameAnswers("SELECT v FROM kv WHERE k='%s'", "SELECT v FROM kv WHERE k='%s' /* text */");
        assertTrue(found >= HOSTILE.size() * 6 / 7 - 1, "most hostile keys have a row: " + found);
        long n = status("Com_stmt_execute") - executes;
        assertTrue(n >= HOSTILE.size() - 1, "the server executed prepared statements: " + n);
        assertTrue(sameAnswers("SELECT v FROM kv WHERE k LIKE '%s'", "SELECT v FROM kv WHERE k LIKE '%s' -- text") > 0);
        assertTrue(sameAnswers("SELECT v FROM kb WHERE k='%s'", "SELECT v FROM kb WHERE k='%s'#text") > 0, "binary columns");
        // a latin1 column: keys it cannot hold compare the same way (or fail the same way)
        assertTrue(sameAnswers("SELECT v FROM kl WHERE k='%s'", "SELECT v FROM kl WHERE k=\"%s\"") > 0, "latin1 column");
        assertTrue(sameAnswers("SELECT v FROM kv WHERE k='%u' AND '%d'<>'' AND 'x'='x'",
                "SELECT v FROM kv WHERE k='%u' AND '%d'<>'' AND 'x'='x' /**/") >= 0);
        assertTrue(sameAnswers("SELECT v FROM kv WHERE k='%s'", "SELECT v FROM kv WHERE k='%s' /* text */", "charset = latin1") > 0,
                "a latin1 table charset");
    }

    @Test
    void thePreparedStatementIsParsedOncePerConnectionNotPerLookup() throws Exception {
        try (LookupTable p = open("SELECT v FROM kv WHERE k='%s' AND 1=1")) {
            assertEquals("v0", p.lookup("plain"));
            long prepares = status("Com_stmt_prepare"), executes = status("Com_stmt_execute"), selects = status("Com_select");
            for (int i = 0; i < 50; i++) assertEquals("v1", p.lookup("o'brien"));
            assertEquals(50, status("Com_stmt_execute") - executes);
            assertEquals(0, status("Com_stmt_prepare") - prepares, "prepared once, on the first lookup");
            long textSelects = status("Com_select") - selects;
            try (LookupTable t = open("SELECT v FROM kv WHERE k='%s' AND 1=1 -- text")) {
                long e2 = status("Com_stmt_execute"), s2 = status("Com_select");
                for (int i = 0; i < 50; i++) assertEquals("v1", t.lookup("o'brien"));
                assertEquals(0, status("Com_stmt_execute") - e2, "the text twin sends text queries");
                assertTrue(status("Com_select") - s2 >= 50, "text queries count as Com_select");
            }
            assertTrue(textSelects <= 52, "the prepared lookups sent no text queries beyond the status probes: " + textSelects);
        }
    }

    @Test
    void templatesThatBindingCouldReadDifferentlyKeepTheTextQuery() {
        for (String t : List.of("SELECT v FROM kv WHERE k=%s", "SELECT v FROM kv WHERE k='%s%%'", "SELECT v FROM kv WHERE k='x%s'",
                "SELECT v FROM kv WHERE k='%%'", "SELECT v FROM kv WHERE k=\"%s\"", "SELECT v FROM kv WHERE k='%s' -- x",
                "SELECT v FROM kv WHERE k='%s' # x", "SELECT v FROM kv WHERE k='%s' /* x */", "SELECT v FROM kv WHERE k='a\\'%s'",
                "SELECT v FROM kv WHERE k='it''s' OR k='%s'", "SELECT v FROM kv WHERE k=_latin1'%s'", "SELECT v FROM kv WHERE k=E'%s'",
                "SELECT v FROM kv WHERE k=N'%s'", "SELECT v FROM kv WHERE k='%s' 'x'", "SELECT v FROM kv WHERE k='%s'; SELECT 1",
                "SELECT v FROM kv WHERE k='%s' AND '?'=?", "SELECT v FROM kv WHERE k={fn lcase('%s')}", "SELECT v FROM `kv` WHERE k='%s'",
                "SELECT v FROM kv WHERE k='x' LIMIT '%1'", "SELECT v FROM kv WHERE k='x' LIMIT 1 OFFSET '%1'",
                "CALL lookup('%s')", "(SELECT v FROM kv WHERE k='%s')", "SELECT v FROM kv WHERE k=$$%s$$", "SELECT v FROM kv WHERE k='%s")) {
            assertNull(PreparedQuery.of(t), t);
        }
        assertEquals("SELECT v FROM kv WHERE k=? AND d=? AND active='1'",
                PreparedQuery.of(" SELECT v FROM kv WHERE k='%s' AND d='%2' AND active='1' ").sql());
        assertEquals("select v from kv where k=?", PreparedQuery.of("select v from kv where k='%u'").sql());
    }

    @Test
    void aColumnThatIsNotTextKeepsTheTableOnTheTextQuery() throws Exception {
        try (LogCapture log = new LogCapture(); LookupTable p = open("SELECT n, f FROM kn WHERE k='%s'")) {
            long executes = status("Com_stmt_execute");
            assertEquals("1,1e20", p.lookup("one"));
            assertEquals("1,1e20", p.lookup("one"));
            assertEquals(0, status("Com_stmt_execute") - executes, "its prepared columns sent it to the text query before it ran");
            assertEquals(1, log.count("not text"), log.all());
        }
    }

    @Test
    void aTemplateTheServerDoesNotPrepareRunsAsTextWithoutRunningTwice() throws Exception {
        // an alias may be a string literal, not a parameter
        String q = "SELECT v AS '%s' FROM kv WHERE k='%s'";
        assertNotNull(PreparedQuery.of(q));
        try (LogCapture log = new LogCapture(); LookupTable p = open(q); LookupTable t = open(q + " -- text")) {
            long executes = status("Com_stmt_execute");
            for (String key : List.of("plain", "o'brien", "absent")) assertEquals(answer(t, key), answer(p, key), key);
            assertEquals("v0", p.lookup("plain"));
            assertEquals(0, status("Com_stmt_execute") - executes, "never executed prepared");
            assertEquals(1, log.count("does not prepare"), log.all());
        }
    }

    @Test
    void theQueryTimeoutHoldsOnThePreparedPath() throws Exception {
        try (LogCapture log = new LogCapture(); LookupTable p = open("SELECT v FROM kv WHERE SLEEP(20) = 0 AND k='%s'")) {
            long executes = status("Com_stmt_execute");
            long t0 = System.nanoTime();
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> p.lookup("plain")).status());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 8000, "cut at the 1 s query timeout, not after the 20 s query: " + ms + " ms");
            assertTrue(log.count("max_statement_time") == 1, log.all());
            assertEquals(1, status("Com_stmt_execute") - executes, "it was the prepared statement");
        }
    }
}
