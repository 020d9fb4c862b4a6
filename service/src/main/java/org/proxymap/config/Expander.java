package org.proxymap.config;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

/**
 * Postfix's {@code $name} expansion ({@code mac_expand}) as {@code postconf -x} applies it:
 * {@code $name}, {@code ${name}}, {@code $(name)}, {@code ${name?value}} (value when name is
 * non-empty), {@code ${name:value}} (value when name is empty or unset), the braced forms
 * {@code ${name?{value}}} and {@code ${name:{value}}}, and {@code $$} for a literal dollar.
 * Values are expanded recursively; an unset name expands to nothing; a reference loop is an
 * error that names the loop.
 */
public final class Expander {
    private final Function<String, String> raw;

    /** @param raw the unexpanded value of a parameter, or null when it is not set */
    public Expander(Function<String, String> raw) { this.raw = raw; }

    /** The fully expanded value of parameter {@code name}, or null when it is not set. */
    public String value(String name) throws ConfigException {
        String v = raw.apply(name);
        if (v == null) return null;
        Deque<String> stack = new ArrayDeque<>();
        stack.push(name);
        return expand(v, stack);
    }

    /** Expands {@code text} as a parameter value would be. */
    public String expand(String text) throws ConfigException {
        return expand(text, new ArrayDeque<>());
    }

    private String expand(String text, Deque<String> stack) throws ConfigException {
        if (text.indexOf('$') < 0) return text;
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= n) { // a lone trailing '$' is kept
                out.append(c);
                break;
            }
            char d = text.charAt(i + 1);
            if (d == '$') {
                out.append('$');
                i += 2;
            } else if (d == '{' || d == '(') {
                char close = d == '{' ? '}' : ')';
                int end = matching(text, i + 1, d, close);
                if (end < 0) throw new ConfigException("unbalanced '" + d + "' in \"" + text + "\"");
                out.append(braced(text.substring(i + 2, end), stack));
                i = end + 1;
            } else if (isNameChar(d)) {
                int j = i + 1;
                while (j < n && isNameChar(text.charAt(j))) j++;
                out.append(lookup(text.substring(i + 1, j), stack));
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private String braced(String body, Deque<String> stack) throws ConfigException {
        if (body.startsWith("{")) return relational(body, stack);
        int j = 0;
        while (j < body.length() && isNameChar(body.charAt(j))) j++;
        String name = body.substring(0, j);
        if (name.isEmpty()) throw new ConfigException("empty parameter name in \"${" + body + "}\"");
        if (j == body.length()) return lookup(name, stack);
        char op = body.charAt(j);
        if (op != '?' && op != ':') {
            throw new ConfigException("unexpected '" + op + "' after parameter name in \"${" + body + "}\"");
        }
        String alt = body.substring(j + 1);
        String trimmed = alt.strip();
        if (trimmed.startsWith("{") && trimmed.endsWith("}")) alt = trimmed.substring(1, trimmed.length() - 1).strip();
        String v = lookup(name, stack);
        boolean nonEmpty = !v.isEmpty();
        if (op == '?' ? nonEmpty : !nonEmpty) return expand(alt, stack);
        return "";
    }

    /**
     * Postfix 3.6's {@code ${{text1} op {text2} ? {then} : {else}}}, op one of == != < <= > >=
     * (numbers) and <level <=level >level >=level ==level !=level (compatibility levels).
     */
    private String relational(String body, Deque<String> stack) throws ConfigException {
        int[] pos = {0};
        String left = expand(group(body, pos), stack);
        skipSpace(body, pos);
        int opStart = pos[0];
        while (pos[0] < body.length() && "<>=!level".indexOf(body.charAt(pos[0])) >= 0) pos[0]++;
        String op = body.substring(opStart, pos[0]);
        skipSpace(body, pos);
        String right = expand(group(body, pos), stack);
        skipSpace(body, pos);
        if (pos[0] >= body.length() || body.charAt(pos[0]) != '?') {
            throw new ConfigException("missing '?' in \"${" + body + "}\"");
        }
        pos[0]++;
        skipSpace(body, pos);
        String then = group(body, pos);
        skipSpace(body, pos);
        String otherwise = "";
        if (pos[0] < body.length() && body.charAt(pos[0]) == ':') {
            pos[0]++;
            skipSpace(body, pos);
            otherwise = group(body, pos);
        }
        boolean level = op.endsWith("level");
        String cmp = level ? op.substring(0, op.length() - 5) : op;
        int c = level ? compareLevels(left, right) : compareNumbers(left, right, cmp);
        boolean result = switch (cmp) {
            case "==" -> level ? c == 0 : left.equals(right);
            case "!=" -> level ? c != 0 : !left.equals(right);
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            default -> throw new ConfigException("unknown operator \"" + op + "\" in \"${" + body + "}\"");
        };
        return expand(result ? then : otherwise, stack);
    }

    private static int compareNumbers(String a, String b, String op) throws ConfigException {
        if (op.equals("==") || op.equals("!=")) return 0;
        try {
            return Long.compare(Long.parseLong(a.strip()), Long.parseLong(b.strip()));
        } catch (NumberFormatException e) {
            throw new ConfigException("non-numeric operand in \"" + a + " " + op + " " + b + "\"");
        }
    }

    /** Compatibility levels: dotted numbers, missing parts are 0 ({@code 3.6 > 2}). */
    static int compareLevels(String a, String b) {
        String[] x = a.strip().split("\\.");
        String[] y = b.strip().split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length && !x[i].isEmpty() ? parseOrZero(x[i]) : 0;
            long q = i < y.length && !y[i].isEmpty() ? parseOrZero(y[i]) : 0;
            if (p != q) return Long.compare(p, q);
        }
        return 0;
    }

    private static long parseOrZero(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void skipSpace(String s, int[] pos) {
        while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) pos[0]++;
    }

    /** Reads {@code {text}} at pos (balanced), returning text. */
    private static String group(String s, int[] pos) throws ConfigException {
        if (pos[0] >= s.length() || s.charAt(pos[0]) != '{') {
            throw new ConfigException("expected '{' at \"" + s.substring(Math.min(pos[0], s.length())) + "\"");
        }
        int end = matching(s, pos[0], '{', '}');
        if (end < 0) throw new ConfigException("unbalanced '{' in \"" + s + "\"");
        String inner = s.substring(pos[0] + 1, end);
        pos[0] = end + 1;
        return inner.strip();
    }

    private String lookup(String name, Deque<String> stack) throws ConfigException {
        if (stack.contains(name)) {
            StringBuilder loop = new StringBuilder();
            var it = stack.descendingIterator();
            boolean in = false;
            while (it.hasNext()) {
                String s = it.next();
                if (s.equals(name)) in = true;
                if (in) loop.append('$').append(s).append(" -> ");
            }
            throw new ConfigException("parameter reference loop: " + loop + "$" + name);
        }
        String v = raw.apply(name);
        if (v == null) return "";
        stack.push(name);
        try {
            return expand(v, stack);
        } finally {
            stack.pop();
        }
    }

    private static int matching(String s, int open, char o, char c) {
        int depth = 0;
        for (int k = open; k < s.length(); k++) {
            char x = s.charAt(k);
            if (x == o || (o == '{' && x == '{')) depth++;
            else if (x == c) {
                if (--depth == 0) return k;
            }
        }
        return -1;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
