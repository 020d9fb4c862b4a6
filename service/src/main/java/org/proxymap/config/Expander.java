package org.proxymap.config;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

/**
 * Postfix's {@code $name} expansion ({@code mac_parse} + {@code mac_expand}) as
 * {@code postconf -x} applies it, checked against Postfix 3.7's postconf:
 * <ul>
 * <li>{@code $$} is a literal dollar; {@code $name}, {@code ${name}}, {@code $(name)} expand
 *     name (letters, digits, '_'); a '$' followed by anything else, an unbalanced
 *     {@code ${...} / $(...)} and {@code ${}} are errors, as postconf's "macro processing error";
 * <li>{@code ${name?value}} is value when name is non-empty, {@code ${name:value}} when it is
 *     empty or unset; value is the raw rest of the text, or {@code {value}} (braces balanced,
 *     whitespace after the closing brace skipped), and then {@code ${name?{a}:{b}}} is the
 *     ternary form; whitespace around the name and the operator is allowed;
 * <li>Postfix 3.0's relational {@code ${{left} op {right}}}, op one of == != < <= >= >: decimal
 *     numbers compare as numbers, anything else with strcmp; the {@code level} suffix
 *     ({@code <level}, ...) compares compatibility levels; the result is "true" or empty, and
 *     may be followed by {@code ?} / {@code :} as for a name;
 * <li>values are expanded recursively; an unset name expands to nothing; a reference loop
 *     is an error that names the loop, and more than 100 nested expansions is an error.
 * </ul>
 * Operand and value payloads keep their inner whitespace, as Postfix does ({@code { 5 }} is
 * " 5 "); postconf only collapses whitespace when it prints.
 */
public final class Expander {
    private static final String SPACE = " \t\r\n";
    private static final int MAX_NESTING = 100;

    private final Function<String, String> raw;

    /** @param raw the unexpanded value of a parameter, or null when it is not set */
    public Expander(Function<String, String> raw) { this.raw = raw; }

    /** The fully expanded value of parameter {@code name}, or null when it is not set. */
    public String value(String name) throws ConfigException {
        String v = raw.apply(name);
        if (v == null) return null;
        Deque<String> stack = new ArrayDeque<>();
        StringBuilder out = new StringBuilder();
        expandValue(name, v, stack, out);
        return out.toString();
    }

    /** Expands {@code text} as a parameter value would be. */
    public String expand(String text) throws ConfigException {
        StringBuilder out = new StringBuilder();
        parse(text, new ArrayDeque<>(), out);
        return out.toString();
    }

    /** {@code mac_parse}: literal text and {@code $} references, each reference to {@link #reference}. */
    private void parse(String text, Deque<String> stack, StringBuilder out) throws ConfigException {
        try {
            MacroParser.parse(text, out::append, body -> {
                if (stack.size() > MAX_NESTING) throw new ConfigException("unreasonable macro call nesting: \"" + body + "\"");
                reference(body, stack, out);
            });
        } catch (MacroParser.SyntaxError e) {
            throw new ConfigException(e.getMessage() + "; " + e.hint());
        }
    }

    /** {@code mac_expand_callback}: one {@code ${...}} body. */
    private void reference(String body, Deque<String> stack, StringBuilder out) throws ConfigException {
        int[] cp = {skipSpace(body, 0)};
        String lookup;
        char op;
        if (cp[0] < body.length() && body.charAt(cp[0]) == '{') {
            lookup = relational(body, cp, stack);
            op = cp[0] < body.length() ? body.charAt(cp[0]) : 0;
            if (op != 0) {
                if (op != '?' && op != ':') {
                    throw new ConfigException("\"?\" or \":\" expected at: \"..." + body.substring(0, cp[0]) + ">>>"
                            + body.substring(cp[0]) + "\"");
                }
                cp[0]++;
            }
        } else if (FUNCTION.matcher(body).matches()) {
            function(body, stack, out);
            return;
        } else {
            int start = cp[0];
            int k = start;
            while (true) {
                int afterSpace = skipSpace(body, k);
                if (afterSpace >= body.length()) {
                    op = 0;
                    break;
                }
                char ch = body.charAt(afterSpace);
                if (ch == '?' || ch == ':') {
                    op = ch;
                    cp[0] = afterSpace + 1;
                    break;
                }
                if (!MacroParser.isNameChar(body.charAt(k))) {
                    throw new ConfigException("attribute name syntax error at: \"..." + body.substring(0, k) + ">>>"
                            + body.substring(k) + "\"; names are letters, digits and '_'");
                }
                k++;
            }
            String name = body.substring(start, k);
            if (op == 0) {
                lookup = lookupName(name, stack);
                if (lookup != null && !lookup.isEmpty()) expandValue(name, lookup, stack, out);
                return;
            }
            // ? and : test the raw value, as mac_expand does: "$empty" counts as non-empty
            lookup = name.isEmpty() ? null : raw.apply(name);
        }
        if (op == 0) { // a bare relational expression: its value, "true" or empty
            out.append(lookup);
            return;
        }
        boolean nonEmpty = lookup != null && !lookup.isEmpty();
        if (op == '?') {
            String ifTrue = operand(body, cp);
            if (nonEmpty) parse(ifTrue, stack, out);
            if (cp[0] >= body.length()) return;
            if (body.charAt(cp[0]) != ':') {
                throw new ConfigException("\":\" expected at: \"..." + ifTrue + "}>>>" + body.substring(cp[0]) + "\"");
            }
            cp[0]++;
        }
        String ifFalse = operand(body, cp);
        if (!nonEmpty) parse(ifFalse, stack, out);
        if (cp[0] < body.length()) {
            throw new ConfigException("unexpected input at: \"..." + ifFalse + "}>>>" + body.substring(cp[0]) + "\"");
        }
    }

    /** Postfix 3.11's named functions, {@code ${name{argument}}} (3.11's default smtp_requiretls_policy uses one). */
    private static final java.util.regex.Pattern FUNCTION =
            java.util.regex.Pattern.compile("\\s*(domain_to_ascii|domain_to_utf8)\\s*\\{(.*)}\\s*", java.util.regex.Pattern.DOTALL);

    /** {@code domain_to_ascii} / {@code domain_to_utf8} of the expanded argument; a name IDNA rejects stays as it is. */
    private void function(String body, Deque<String> stack, StringBuilder out) throws ConfigException {
        java.util.regex.Matcher m = FUNCTION.matcher(body);
        if (!m.matches()) throw new IllegalStateException(body);
        StringBuilder arg = new StringBuilder();
        parse(m.group(2), stack, arg);
        try {
            out.append(m.group(1).equals("domain_to_ascii") ? java.net.IDN.toASCII(arg.toString(), java.net.IDN.ALLOW_UNASSIGNED)
                    : java.net.IDN.toUnicode(arg.toString(), java.net.IDN.ALLOW_UNASSIGNED));
        } catch (IllegalArgumentException e) {
            out.append(arg);
        }
    }

    /** The text after ? or :, either {payload} or the raw rest. */
    private static String operand(String body, int[] cp) throws ConfigException {
        int s = skipSpace(body, cp[0]);
        if (s < body.length() && body.charAt(s) == '{') {
            cp[0] = s;
            return curly(body, cp);
        }
        String rest = body.substring(cp[0]);
        cp[0] = body.length();
        return rest;
    }

    /** {@code ${{left} op {right}}}: "true" or "". */
    private String relational(String body, int[] cp, Deque<String> stack) throws ConfigException {
        String left = curly(body, cp);
        int opStart = cp[0];
        int k = opStart;
        while (k < body.length() && "<>!=?+-*/~&|%".indexOf(body.charAt(k)) >= 0) k++;
        String op = body.substring(opStart, k);
        if (!(op.equals("==") || op.equals("!=") || op.equals("<") || op.equals("<=") || op.equals(">=") || op.equals(">"))) {
            throw new ConfigException("\"==\" or \"!=\" or \"<\" or \"<=\" or \">=\" or \">\" expected at: \"..." + left
                    + "}>>>" + body.substring(opStart) + "\"");
        }
        int suffixStart = k;
        while (k < body.length() && Character.isLetterOrDigit(body.charAt(k))) k++;
        String suffix = body.substring(suffixStart, k);
        if (!suffix.isEmpty() && !suffix.equals("level")) {
            throw new ConfigException("bad operator suffix at: \"..." + op + ">>>" + suffix + "\"; the only suffix is 'level'");
        }
        int s = skipSpace(body, k);
        if (s >= body.length() || body.charAt(s) != '{') {
            throw new ConfigException("\"{expression}\" expected at: \"...{" + left + "} " + op + suffix + ">>>"
                    + body.substring(k) + "\"");
        }
        cp[0] = s;
        String right = curly(body, cp);
        StringBuilder l = new StringBuilder();
        parse(left, stack, l);
        StringBuilder r = new StringBuilder();
        parse(right, stack, r);
        int delta = suffix.isEmpty() ? compare(l.toString(), r.toString()) : compareLevels(l.toString(), r.toString());
        boolean result = switch (op) {
            case "==" -> delta == 0;
            case "!=" -> delta != 0;
            case "<" -> delta < 0;
            case "<=" -> delta <= 0;
            case ">=" -> delta >= 0;
            default -> delta > 0;
        };
        return result ? "true" : "";
    }

    /** Decimal numbers compare as numbers, anything else as strcmp does. */
    private static int compare(String a, String b) {
        if (MacroParser.allDigits(a) && MacroParser.allDigits(b)) return new BigInteger(a).compareTo(new BigInteger(b));
        return Integer.signum(a.compareTo(b));
    }

    /** Compatibility levels: major[.minor[.patch]], missing parts are 0 ({@code 3.6 < 3.10}, {@code 2 == 2.0}). */
    static int compareLevels(String a, String b) throws ConfigException {
        long[] x = level(a);
        long[] y = level(b);
        for (int i = 0; i < 3; i++) if (x[i] != y[i]) return Long.compare(x[i], y[i]);
        return 0;
    }

    private static long[] level(String s) throws ConfigException {
        if (!s.matches("[0-9]{1,9}(\\.[0-9]{1,9}){0,2}")) {
            throw new ConfigException("malformed compatibility level syntax: \"" + s + "\"; use e.g. 3.6");
        }
        String[] parts = s.split("\\.");
        long[] v = new long[3];
        for (int i = 0; i < parts.length; i++) v[i] = Long.parseLong(parts[i]);
        return v;
    }

    /** {@code {payload}} at cp (balanced), whitespace after the closing brace skipped. */
    private static String curly(String s, int[] cp) throws ConfigException {
        int depth = 0;
        for (int k = cp[0]; k < s.length(); k++) {
            char x = s.charAt(k);
            if (x == '{') depth++;
            else if (x == '}' && --depth == 0) {
                String payload = s.substring(cp[0] + 1, k);
                cp[0] = skipSpace(s, k + 1);
                return payload;
            }
        }
        throw new ConfigException("unbalanced {} in attribute expression: \"" + s.substring(cp[0]) + "\"");
    }

    private String lookupName(String name, Deque<String> stack) throws ConfigException {
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
        return name.isEmpty() ? null : raw.apply(name);
    }

    private void expandValue(String name, String value, Deque<String> stack, StringBuilder out) throws ConfigException {
        stack.push(name);
        try {
            parse(value, stack, out);
        } catch (ConfigException.InParameter e) {
            throw e;
        } catch (ConfigException e) {
            throw new ConfigException.InParameter(name, e.getMessage());
        } finally {
            stack.pop();
        }
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && SPACE.indexOf(s.charAt(i)) >= 0) i++;
        return i;
    }
}
