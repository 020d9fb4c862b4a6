package org.proxymap.table.pattern;

import java.util.ArrayList;
import java.util.List;
import org.proxymap.config.MacroParser;

/**
 * The result text of a regexp/pcre rule, parsed by {@link MacroParser} as Postfix does:
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
     *     ({@link MacroParser.SyntaxError} when a reference cannot be delimited)
     */
    static Replacement parse(String text, String where) {
        List<Object> parts = new ArrayList<>();
        StringBuilder buf = new StringBuilder();
        int[] max = {0};
        String[] error = {null};
        MacroParser.parse(text, buf::append, name -> {
            if (buf.length() > 0) {
                parts.add(buf.toString());
                buf.setLength(0);
            }
            if (!MacroParser.allDigits(name)) {
                if (error[0] == null) error[0] = where + ": non-numeric replacement index \"" + name + "\"";
                return;
            }
            int num = atoi(name);
            if (num < 1) {
                if (error[0] == null) error[0] = where + ": out of range replacement index \"" + name + "\"";
                return;
            }
            max[0] = Math.max(max[0], num);
            parts.add(num);
        });
        if (error[0] != null) throw new IllegalArgumentException(error[0]);
        if (buf.length() > 0) parts.add(buf.toString());
        return new Replacement(List.copyOf(parts), max[0]);
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

    /** The value of a digit string, saturating at Integer.MAX_VALUE. */
    static int atoi(String digits) {
        long v = 0;
        for (int i = 0; i < digits.length() && v <= Integer.MAX_VALUE; i++) v = v * 10 + (digits.charAt(i) - '0');
        return (int) Math.min(v, Integer.MAX_VALUE);
    }
}
