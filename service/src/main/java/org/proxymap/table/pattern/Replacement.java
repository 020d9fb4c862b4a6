package org.proxymap.table.pattern;

import java.util.ArrayList;
import java.util.List;

/**
 * The result text of a regexp/pcre rule, parsed as Postfix's {@code mac_parse()} does:
 * {@code $n}, {@code ${n}} and {@code $(n)} insert capture group n, {@code $$} is a
 * literal {@code $}. An empty or unmatched group inserts nothing.
 */
final class Replacement {
    /** Literal text (String) and group numbers (Integer), in order. */
    private final List<Object> parts;
    private final int maxSub;
    private final String literal;

    private Replacement(List<Object> parts, int maxSub) {
        this.parts = parts;
        this.maxSub = maxSub;
        this.literal = maxSub == 0 ? (parts.isEmpty() ? "" : (String) parts.get(0)) : null;
    }

    /** The largest group number used; 0 when the text is constant. */
    int maxSub() { return maxSub; }

    /**
     * Parses {@code text}; {@code kind} ("regexp map X, line N") prefixes error messages.
     *
     * @throws IllegalArgumentException with Postfix's warning text when the syntax is bad
     */
    static Replacement parse(String text, String where) {
        List<Object> parts = new ArrayList<>();
        StringBuilder buf = new StringBuilder();
        int max = 0;
        String error = null;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c != '$') {
                buf.append(c);
                i++;
            } else if (i + 1 < n && text.charAt(i + 1) == '$') {
                buf.append('$');
                i += 2;
            } else {
                if (buf.length() > 0) {
                    parts.add(buf.toString());
                    buf.setLength(0);
                }
                i++;
                String name;
                if (i < n && (text.charAt(i) == '{' || text.charAt(i) == '(')) {
                    char open = text.charAt(i);
                    char close = open == '{' ? '}' : ')';
                    int level = 1;
                    int ep = ++i;
                    while (level > 0) {
                        if (ep >= n) {
                            throw new IllegalArgumentException("truncated macro reference: \"" + text + "\"");
                        }
                        char e = text.charAt(ep);
                        if (e == open) level++;
                        if (e == close) level--;
                        ep++;
                    }
                    name = text.substring(i, ep - 1);
                    i = ep;
                } else {
                    int ep = i;
                    while (ep < n && (isAlnum(text.charAt(ep)) || text.charAt(ep) == '_')) ep++;
                    name = text.substring(i, ep);
                    i = ep;
                }
                if (name.isEmpty()) throw new IllegalArgumentException("empty macro name: \"" + text + "\"");
                if (!allDigits(name)) {
                    if (error == null) error = where + ": non-numeric replacement index \"" + name + "\"";
                    continue;
                }
                int num = atoi(name);
                if (num < 1) {
                    if (error == null) error = where + ": out of range replacement index \"" + name + "\"";
                    continue;
                }
                max = Math.max(max, num);
                parts.add(num);
            }
        }
        if (error != null) throw new IllegalArgumentException(error);
        if (buf.length() > 0) parts.add(buf.toString());
        return new Replacement(List.copyOf(parts), max);
    }

    /** Expands the text with {@code groups[n]} (null or empty: nothing inserted). */
    String expand(String[] groups) {
        if (literal != null) return literal;
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) {
            if (p instanceof String s) {
                sb.append(s);
            } else {
                int g = (Integer) p;
                String v = g < groups.length ? groups[g] : null;
                if (v != null) sb.append(v);
            }
        }
        return sb.toString();
    }

    static boolean isAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** True for a non-empty run of ASCII digits. */
    static boolean allDigits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** The value of a digit string, saturating at Integer.MAX_VALUE. */
    static int atoi(String digits) {
        long v = 0;
        for (int i = 0; i < digits.length() && v <= Integer.MAX_VALUE; i++) v = v * 10 + (digits.charAt(i) - '0');
        return (int) Math.min(v, Integer.MAX_VALUE);
    }
}
