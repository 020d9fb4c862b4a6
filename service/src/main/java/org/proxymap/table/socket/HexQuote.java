package org.proxymap.table.socket;

/**
 * Postfix's hex_quote() and hex_unquote() (src/util/hex_quote.c) on ISO-8859-1 strings
 * (one char per byte): {@code %}, white space, and every byte that is not printable ASCII
 * become {@code %XX} in upper case; unquoting accepts either case.
 */
final class HexQuote {
    private HexQuote() {}

    static String quote(String raw) {
        StringBuilder b = new StringBuilder(raw.length() + 16);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%' && c > 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4 & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return b.toString();
    }

    /** @return the unquoted text, or null when a {@code %} is not followed by two hex digits */
    static String unquote(String hex) {
        StringBuilder b = new StringBuilder(hex.length());
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (c == '%') {
                int hi = i + 1 < hex.length() ? digit(hex.charAt(i + 1)) : -1;
                int lo = i + 2 < hex.length() ? digit(hex.charAt(i + 2)) : -1;
                if (hi < 0 || lo < 0) return null;
                c = (char) (hi << 4 | lo);
                i += 2;
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Postfix tests ISDIGIT, a-f, A-F: Character.digit() would also take non-ASCII digits. */
    private static int digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
}
