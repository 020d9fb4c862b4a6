package org.proxymap.table.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * The query template as a server-side prepared statement: each {@code '%s'}-style literal
 * becomes a {@code ?} and the expanded value is bound instead of quoted into the text, so
 * the server skips parsing and planning the query on every lookup.
 *
 * <p>Only for templates where that provably asks the same question: one {@code SELECT}
 * whose expansions each fill a whole single-quoted literal, with nothing in the text that
 * the prepared form could read differently. Anything else (an expansion outside quotes,
 * {@code %%}, other quoting, escapes, comments, several statements, a {@code ?}, JDBC
 * escapes, charset introducers like {@code _latin1'..'} or {@code E'..'}, literals
 * that concatenate, an expansion in a LIMIT clause) keeps Postfix's text query: {@link #of}
 * returns null. A template that passes and still does not prepare (a literal where a
 * parameter cannot stand, such as an alias) is found by the table before it first runs.
 *
 * @param sql the statement with {@code ?} for each expansion, in template order
 */
record PreparedQuery(String sql) {
    private static final java.util.regex.Pattern ROW_LIMIT =
            java.util.regex.Pattern.compile("\\b(LIMIT|OFFSET|FETCH)\\b", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** The prepared form of {@code template}, or null when only the text query is sure to answer the same. */
    static PreparedQuery of(String template) {
        String t = template.strip();
        if (t.length() < 7 || !t.regionMatches(true, 0, "SELECT", 0, 6) || !Character.isWhitespace(t.charAt(6))) return null;
        StringBuilder sql = new StringBuilder(t.length());
        int lastLiteralEnd = -1;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\'') {
                int end = t.indexOf('\'', i + 1);
                if (end < 0) return null;
                // 'a''b' (a doubled quote) or 'a' 'b' (adjacent literals concatenate)
                if (end + 1 < t.length() && t.charAt(end + 1) == '\'') return null;
                if (lastLiteralEnd >= 0 && t.substring(lastLiteralEnd, i).isBlank()) return null;
                // _utf8'..', N'..', E'..', X'..', U&'..': prefixes change how the literal is read
                if (i > 0 && (Character.isLetterOrDigit(t.charAt(i - 1)) || "_$&".indexOf(t.charAt(i - 1)) >= 0)) return null;
                String body = t.substring(i + 1, end);
                if (body.indexOf('\\') >= 0) return null;
                if (body.indexOf('%') >= 0) {
                    if (body.length() != 2 || "sSuUdD123456789".indexOf(body.charAt(1)) < 0) return null;
                    // LIMIT ? parses where LIMIT '5' does not (MySQL)
                    if (ROW_LIMIT.matcher(t.substring(0, i)).find()) return null;
                    sql.append('?');
                } else {
                    sql.append(t, i, end + 1);
                }
                lastLiteralEnd = end + 1;
                i = end;
                continue;
            }
            // other quoting, escapes, placeholders, JDBC escapes, dollar quotes, statement separators
            if ("\"`\\%?;{}$#".indexOf(c) >= 0) return null;
            if ((c == '-' || c == '/') && i + 1 < t.length() && t.charAt(i + 1) == (c == '-' ? '-' : '*')) return null;
            sql.append(c);
        }
        return new PreparedQuery(sql.toString());
    }

    /**
     * The values to bind for {@code key}, in placeholder order; null when the key cannot fill
     * the template (no query) or holds a NUL (never from Postfix; the text query keeps it).
     */
    static List<String> values(Templates templates, String key) {
        if (key.indexOf('\0') >= 0) return null;
        List<String> values = new ArrayList<>(2);
        return templates.expandQuery(key, v -> {
            values.add(v);
            return "";
        }) == null ? null : values;
    }
}
