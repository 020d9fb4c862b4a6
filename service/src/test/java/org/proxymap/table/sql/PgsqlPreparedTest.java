package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.testing.TestPg;
import org.proxymap.testing.Trees;

/**
 * The prepared path of pgsql tables (issue 17 item 7) against a real PostgreSQL: the same
 * answer as the text query for hostile keys in both client encodings and with
 * standard_conforming_strings off, the server executing the statement with the key bound,
 * and the text query taken over where the prepared form fails.
 */
class PgsqlPreparedTest {
    static TestPg db;
    static Path dir;
    static final SharedResources resources = new SharedResources();
    /** Client bytes (ISO-8859-1 strings standing for them), as proxymap receives keys. */
    static final List<String> HOSTILE = List.of("plain", "o'brien", "back\\slash", "\\'", "''", "'", "\\", "%", "_", "a%c", "a_c",
            "abc", "x' OR '1'='1", "dq\"uote", "new\nline", "trail ", "TRAIL", wire("\u00fcber"), wire("emoji\ud83d\ude00"),
            "?", "$1", "%s", "b".repeat(5000), "x@y@example.com", "user@",
            // last: not UTF-8, so a UTF8 table fails the query, which holds the host back for this table (as Postfix does)
            "latin1-\u00fc", "bad-utf8-\u00c3(");

    @BeforeAll
    static void schema() throws Exception {
        db = TestPg.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pmpgprep");
        for (String database : List.of("pmprep", "pmprepnscs")) {
            db.freshDatabase(database, "CREATE TABLE kv (k TEXT, v TEXT)", "CREATE TABLE kn (k TEXT, n INT)",
                    "INSERT INTO kn VALUES ('1', 10), ('one', 1)");
            try (Connection c = db.connect(database); PreparedStatement kv = c.prepareStatement("INSERT INTO kv VALUES (?, ?)")) {
                for (int i = 0; i < HOSTILE.size(); i++) {
                    if (i % 7 == 3) continue; // some keys have no row
                    // rows for both readings of the key's bytes: UTF-8 (where valid) and Latin-1
                    for (String text : List.of(new String(HOSTILE.get(i).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8),
                            HOSTILE.get(i))) {
                        kv.setString(1, text);
                        kv.setString(2, "v" + i + (text.equals(HOSTILE.get(i)) ? "-latin1" : "-utf8"));
                        kv.execute();
                    }
                }
            }
        }
        db.sql("pmtest", "ALTER DATABASE pmprepnscs SET standard_conforming_strings = off");
    }

    @AfterAll
    static void close() throws Exception {
        resources.close();
        if (dir != null) Trees.delete(dir);
    }

    static String wire(String s) { return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1); }

    static LookupTable open(String database, String query, String encoding) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, db.cf(database, "query = " + query), StandardCharsets.ISO_8859_1);
        return new PgsqlType().open(f.toString(),
                new OpenContext(false, 0, Map.of("proxymap_pgsql_default_encoding", encoding)::get, resources));
    }

    static String answer(LookupTable t, String key) {
        try {
            return t.lookup(key);
        } catch (TableException e) {
            return "<" + e.status() + ">";
        }
    }

    /** The last statements of proxymap's sessions on {@code database}, as the server saw them. */
    static List<String> serverQueries(String database) throws Exception {
        List<String> q = new ArrayList<>();
        try (Connection c = db.connect("pmtest"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT query FROM pg_stat_activity WHERE application_name = 'proxymap' AND datname = '"
                     + database + "'")) {
            while (rs.next()) q.add(rs.getString(1));
        }
        return q;
    }

    @Test
    void boundValuesFindTheSameRowsAsTheTextQuery() throws Exception {
        for (String database : List.of("pmprep", "pmprepnscs")) {
            for (String encoding : List.of("UTF8", "LATIN1")) {
                String q = "SELECT v FROM kv WHERE k='%s'";
                assertTrue(PreparedQuery.of(q) != null);
                int found = 0, failed = 0;
                try (LookupTable p = open(database, q, encoding); LookupTable t = open(database, q + " /* text */", encoding)) {
                    assertTrue(p.lookup("plain").startsWith("v0-"));
                    assertTrue(serverQueries(database).contains("SELECT v FROM kv WHERE k=$1"),
                            "the server executed the bound statement: " + serverQueries(database));
                    for (String key : HOSTILE) {
                        String a = answer(p, key);
                        assertEquals(answer(t, key), a, database + " " + encoding + " key " + key);
                        if (a != null && a.startsWith("<")) failed++;
                        else if (a != null) found++;
                    }
                }
                assertTrue(found >= HOSTILE.size() * 6 / 7 - 2, database + " " + encoding + ": found " + found);
                // a key that is not UTF-8 fails the same way in both (the client cannot encode it)
                assertEquals(encoding.equals("UTF8") ? 2 : 0, failed, database + " " + encoding);
            }
        }
    }

    @Test
    void whereThePreparedFormFailsTheTextQueryAnswersFromThenOn() throws Exception {
        // pg_typeof() of an untyped literal is "unknown"; of an untyped parameter, an error (42P18)
        String q = "SELECT v FROM kv WHERE k='%s' AND pg_typeof('%s')::text = 'unknown'";
        try (LogCapture log = new LogCapture(); LookupTable p = open("pmprep", q, "UTF8"); LookupTable t = open("pmprep", q + " --", "UTF8")) {
            for (String key : List.of("plain", "o'brien", "absent")) assertEquals(answer(t, key), answer(p, key), key);
            assertEquals("v0-latin1,v0-latin1", p.lookup("plain"), "one row per reading of the key (the same for ASCII)");
            assertEquals(1, log.count("using the text query"), log.all());
        }
        // an integer column compared with the untyped value: typed by the column in both
        try (LookupTable p = open("pmprep", "SELECT k FROM kn WHERE n='%s'", "UTF8");
             LookupTable t = open("pmprep", "SELECT k FROM kn WHERE n='%s' --", "UTF8")) {
            for (String key : List.of("10", "1", " 1", "01")) assertEquals(answer(t, key), answer(p, key), key);
            assertEquals("1", p.lookup("10"));
            // not an integer: both fail (and the table is then held back from the host, as in Postfix)
            assertEquals(answer(t, "one"), answer(p, "one"));
        }
    }
}
