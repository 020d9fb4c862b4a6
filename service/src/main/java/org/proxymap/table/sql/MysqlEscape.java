package org.proxymap.table.sql;

/**
 * {@code mysql_real_escape_string()}: what Postfix applies to every value it substitutes
 * into a query template for the text query, which is then sent as is, so templates that
 * work with Postfix, quotes and all, work here unchanged (templates that bind their values
 * instead are {@link PreparedQuery}'s).
 *
 * <p>libmariadb escapes NUL, LF, CR, backslash, both quotes and Ctrl-Z with a backslash;
 * when the server runs with {@code NO_BACKSLASH_ESCAPES} it only doubles single quotes.
 * It works on the bytes of the connection's character set and leaves multi-byte
 * characters alone. Here the escaping is done on characters and the driver sends the
 * query as UTF-8, where no byte of a multi-byte character is ASCII, so the result on the
 * server is the same.
 */
final class MysqlEscape {
    private MysqlEscape() {}

    static String escape(String s, boolean noBackslashEscapes) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep;
            if (noBackslashEscapes) {
                rep = c == '\'' ? "''" : null;
            } else {
                rep = switch (c) {
                    case 0 -> "\\0";
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    case '\\' -> "\\\\";
                    case '\'' -> "\\'";
                    case '"' -> "\\\"";
                    case '\032' -> "\\Z";
                    default -> null;
                };
            }
            if (rep != null) {
                if (sb == null) sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                sb.append(rep);
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
