package org.proxymap.config;

import java.util.ArrayList;
import java.util.List;

/** Postfix's {@code mystrtokq()} on ", \t\r\n" with {@code {}} grouping, and {@code extpar()}. */
public final class Tokens {
    private Tokens() {}

    public static final String SEPARATORS = ", \t\r\n";

    /** Splits a list on commas and whitespace; text inside balanced braces stays one token. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && SEPARATORS.indexOf(s.charAt(i)) >= 0) i++;
            if (i >= n) break;
            int start = i;
            int depth = 0;
            while (i < n) {
                char c = s.charAt(i);
                if (c == '{') depth++;
                else if (c == '}' && depth > 0) depth--;
                else if (depth == 0 && SEPARATORS.indexOf(c) >= 0) break;
                i++;
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    /** {@code { text }} to {@code text}: strips the outer braces and the whitespace inside them. */
    public static String unbrace(String token) {
        String t = token.strip();
        if (t.startsWith("{") && t.endsWith("}")) t = t.substring(1, t.length() - 1);
        return t.strip();
    }
}
