package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** db_common_expand() rules, as mysql_table(5) documents them. */
class TemplatesTest {
    private static String q(String query, String key) throws Exception {
        return new Templates(query, "%s").expandQuery(key, s -> "[" + s + "]");
    }

    private static String r(String format, String field, String key) throws Exception {
        StringBuilder sb = new StringBuilder();
        return new Templates("SELECT '%s'", format).expandResult(field, key, sb) ? sb.toString() : null;
    }

    @Test
    void queryExpansionsQuoteEachSubstitutedValueButNotTheTemplate() throws Exception {
        assertEquals("s=[user@mail.example.com] u=[user] d=[mail.example.com] 100%",
                q("s=%s u=%u d=%d 100%%", "user@mail.example.com"));
        assertEquals("[user@mail.example.com] [user] [mail.example.com]", q("%S %U %D", "user@mail.example.com"));
        assertEquals("[com] [example] [mail]", q("%1 %2 %3", "user@mail.example.com"));
        // the address is split at the last @
        assertEquals("[a@b] [c]", q("%u %d", "a@b@c"));
    }

    @Test
    void keysThatCannotFillTheTemplateAreNotQueried() throws Exception {
        assertNull(q("WHERE d='%d'", "nodomain"), "%d and a key without @");
        assertNull(q("WHERE d='%d'", "user@"), "%d and an empty domain");
        assertNull(q("WHERE u='%u'", "@example.com"), "%u and an empty local part");
        assertEquals("WHERE u='[plain]'", q("WHERE u='%u'", "plain"), "%u without @ is the whole key");
        assertNull(q("%3", "user@example.com"), "too few labels for %3");
        assertEquals("[example]", q("%2", "user@..example..com"), "empty labels are dropped, as argv_split does");
        assertNull(q("%s", ""), "empty key");
        // what the result format needs counts too: %D there suppresses domainless keys
        assertNull(new Templates("SELECT '%s'", "%s@%D").expandQuery("nodomain", s -> s));
    }

    @Test
    void resultFormatLowercaseIsTheFieldUppercaseIsTheKey() throws Exception {
        assertEquals("field", r("%s", "field", "k@x.org"));
        assertEquals("smtp:[mx.example.org]", r("smtp:[%s]", "mx.example.org", "k"));
        assertEquals("joe/x.org", r("%u/%d", "joe@x.org", "k"));
        assertNull(r("%d", "nodomain", "k"), "a field without @ is skipped for %d");
        assertNull(r("%u", "@x.org", "k"), "a field with an empty local part is skipped for %u");
        assertEquals("k@a.b.c|k|a.b.c|c|b", r("%S|%U|%D|%1|%2", "f", "k@a.b.c"));
        assertEquals("50%", r("50%%", "f", "k"));
        assertNull(r("%s", "", "k"), "empty fields are skipped");
    }

    @Test
    void resultsAreJoinedWithCommas() throws Exception {
        Templates t = new Templates("SELECT 1", "<%s>");
        StringBuilder sb = new StringBuilder();
        assertTrue(t.expandResult("a", "k", sb));
        assertFalse(t.expandResult("", "k", sb));
        assertTrue(t.expandResult("b", "k", sb));
        assertEquals("<a>,<b>", sb.toString());
    }

    @Test
    void badPercentSequencesAreRefusedWithTheFix() {
        var e = assertThrows(Templates.BadTemplate.class, () -> new Templates("SELECT x WHERE y='%x'", "%s"));
        assertTrue(e.getMessage().contains("unknown sequence %x"), e.getMessage());
        assertTrue(e.getMessage().contains("%%"), e.getMessage());
        assertThrows(Templates.BadTemplate.class, () -> new Templates("SELECT 100%", "%s"));
        assertThrows(Templates.BadTemplate.class, () -> new Templates("SELECT 1", "%0"));
    }

    @Test
    void legacyQueryIsPostfixs() {
        assertEquals("SELECT goto FROM alias WHERE address='%s' AND active=1",
                Templates.legacyQuery("goto", "alias", "address", "AND active=1"));
        assertEquals("SELECT goto FROM alias WHERE address='%s' ", Templates.legacyQuery("goto", "alias", "address", ""));
    }

    @Test
    void escapingIsMysqlRealEscapeString() {
        assertEquals("a\\'b\\\"c\\\\d\\0e\\nf\\rg\\Zh", MysqlEscape.escape("a'b\"c\\d\0e\nf\rg\032h", false));
        assertEquals("plain", MysqlEscape.escape("plain", false));
        assertEquals("ü€", MysqlEscape.escape("ü€", false));
        // NO_BACKSLASH_ESCAPES: only single quotes are doubled
        assertEquals("a''b\\c\"", MysqlEscape.escape("a'b\\c\"", true));
    }
}
