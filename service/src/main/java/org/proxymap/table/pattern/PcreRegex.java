package org.proxymap.table.pattern;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A PCRE2 pattern (8-bit, non-UTF mode, as Postfix compiles it) run on Java's regex engine.
 * Both are leftmost-first backtracking engines, so a pattern in the common subset matches and
 * captures the same. The syntax that differs is rewritten here: PCRE flags that Java lacks
 * (A anchored, E dollar-end-only, U ungreedy), x-mode whitespace (PCRE keeps it inside
 * classes, Java does not), literal '[' and '&amp;&amp;' inside classes, POSIX classes
 * {@code [:alpha:]}, {@code (?P<n>...)}, {@code \g{n}}, {@code \N}, {@code \xh}, {@code \0oo},
 * {@code \o{...}}. What Java cannot express fails to compile and the rule is skipped with a
 * warning (listed in README).
 */
final class PcreRegex implements CompiledPattern {
    static final int CASELESS = 1;
    static final int MULTILINE = 2;
    static final int DOTALL = 4;
    static final int EXTENDED = 8;
    static final int ANCHORED = 16;
    static final int DOLLAR_ENDONLY = 32;
    static final int UNGREEDY = 64;

    private final Pattern pattern;
    private final boolean anchored;
    private final int groups;

    private PcreRegex(Pattern pattern, boolean anchored) {
        this.pattern = pattern;
        this.anchored = anchored;
        this.groups = pattern.matcher("").groupCount();
    }

    static PcreRegex compile(String re, int options) {
        String java = new Translator(re, options).translate();
        int flags = Pattern.UNIX_LINES;
        if ((options & CASELESS) != 0) flags |= Pattern.CASE_INSENSITIVE;
        if ((options & MULTILINE) != 0) flags |= Pattern.MULTILINE;
        if ((options & DOTALL) != 0) flags |= Pattern.DOTALL;
        try {
            return new PcreRegex(Pattern.compile(java, flags), (options & ANCHORED) != 0);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("error in regex at offset " + Math.max(e.getIndex(), 0) + ": "
                    + e.getDescription());
        }
    }

    String javaPattern() { return pattern.pattern(); }

    @Override
    public int groupCount() { return groups; }

    @Override
    public String[] match(String key, boolean wantGroups) {
        Matcher m = pattern.matcher(new MatchBudget(key));
        if (!(anchored ? m.lookingAt() : m.find())) return null;
        if (!wantGroups) return NO_GROUPS;
        return CompiledPattern.groups(m, groups);
    }

    private static final class Translator {
        private final String re;
        private final boolean extended;
        private final boolean ungreedy;
        private final boolean dollarEndOnly;
        private final StringBuilder out = new StringBuilder();
        private int pos;
        /** The last item was an assertion (^ $ \\b ...): PCRE2 refuses a quantifier after it. */
        private boolean assertion;

        Translator(String re, int options) {
            this.re = re;
            this.extended = (options & EXTENDED) != 0;
            this.ungreedy = (options & UNGREEDY) != 0;
            this.dollarEndOnly = (options & DOLLAR_ENDONLY) != 0 && (options & MULTILINE) == 0;
        }

        private boolean at(String s) { return re.startsWith(s, pos); }

        String translate() {
            int n = re.length();
            while (pos < n) {
                char c = re.charAt(pos);
                if (extended && isPcreSpace(c)) {
                    pos++;
                } else if (extended && c == '#') {
                    while (pos < n && re.charAt(pos) != '\n') pos++;
                } else if (c == '\\') {
                    assertion = pos + 1 < n && "bBAzZG".indexOf(re.charAt(pos + 1)) >= 0;
                    escape(false);
                    quantifier();
                } else if (c == '[') {
                    charClass();
                    quantifier();
                } else if (c == '$' || c == '^') {
                    pos++;
                    out.append(c == '$' && dollarEndOnly ? "\\z" : String.valueOf(c));
                    assertion = true;
                    quantifier();
                } else if (c == '(') {
                    group();
                } else if (c == ')') {
                    pos++;
                    out.append(')');
                    quantifier();
                } else if (c == '{' && !isQuantifier(pos)) {
                    pos++;
                    out.append("\\{");
                    quantifier();
                } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                    // a quantifier with nothing to repeat: let Java report it
                    pos++;
                    out.append(c);
                } else if (c == '}' || c == ']') {
                    pos++;
                    out.append('\\').append(c);
                    quantifier();
                } else {
                    pos++;
                    out.append(c);
                    quantifier();
                }
            }
            return out.toString();
        }

        private void group() {
            if (at("(?#")) {
                int end = re.indexOf(')', pos);
                pos = end < 0 ? re.length() : end + 1;
                return;
            }
            if (at("(?P<")) {
                pos += 4;
                out.append("(?<");
                return;
            }
            if (at("(?P=")) {
                int end = re.indexOf(')', pos);
                if (end < 0) throw new IllegalArgumentException("error in regex at offset " + pos + ": missing )");
                out.append("\\k<").append(re, pos + 4, end).append('>');
                pos = end + 1;
                quantifier();
                return;
            }
            pos++;
            out.append('(');
        }

        /** After an atom: a quantifier, with U (ungreedy) swapping greedy and lazy. */
        private void quantifier() {
            while (extended && pos < re.length() && isPcreSpace(re.charAt(pos))) pos++;
            if (pos >= re.length()) return;
            char c = re.charAt(pos);
            int start = pos;
            if (c == '*' || c == '+' || c == '?') {
                pos++;
            } else if (c == '{' && isQuantifier(pos)) {
                pos = re.indexOf('}', pos) + 1;
            } else {
                assertion = false;
                return;
            }
            if (assertion) {
                throw new IllegalArgumentException("error in regex at offset " + start
                        + ": quantifier does not follow a repeatable item");
            }
            out.append(re, start, pos);
            if (pos < re.length() && re.charAt(pos) == '+') {
                pos++;
                out.append('+');
            } else if (pos < re.length() && re.charAt(pos) == '?') {
                pos++;
                if (!ungreedy) out.append('?');
            } else if (ungreedy) {
                out.append('?');
            }
        }

        /** {n}, {n,} or {n,m}; anything else is a literal '{' in PCRE2 10.42. */
        private boolean isQuantifier(int p) {
            int i = p + 1;
            int d = i;
            while (i < re.length() && Character.isDigit(re.charAt(i)) && re.charAt(i) < 128) i++;
            if (i == d) return false;
            if (i < re.length() && re.charAt(i) == '}') return true;
            if (i >= re.length() || re.charAt(i) != ',') return false;
            i++;
            while (i < re.length() && re.charAt(i) >= '0' && re.charAt(i) <= '9') i++;
            return i < re.length() && re.charAt(i) == '}';
        }

        private void escape(boolean inClass) {
            int n = re.length();
            if (pos + 1 >= n) throw new IllegalArgumentException("error in regex at offset " + n + ": \\ at end of pattern");
            char c = re.charAt(pos + 1);
            switch (c) {
                case 'Q' -> {
                    int end = re.indexOf("\\E", pos + 2);
                    String lit = end < 0 ? re.substring(pos + 2) : re.substring(pos + 2, end);
                    pos = end < 0 ? n : end + 2;
                    for (int i = 0; i < lit.length(); i++) out.append(hex(lit.charAt(i)));
                }
                case 'E' -> pos += 2;
                case 'N' -> {
                    if (pos + 2 < n && re.charAt(pos + 2) == '{') throw unsupported("\\N{...}");
                    pos += 2;
                    out.append(inClass ? "N" : "[^\\n]");
                }
                case 'x' -> {
                    pos += 2;
                    if (pos < n && re.charAt(pos) == '{') {
                        int end = re.indexOf('}', pos);
                        if (end < 0) throw new IllegalArgumentException("error in regex at offset " + pos + ": missing }");
                        out.append(hex(Integer.parseInt(re.substring(pos + 1, end), 16)));
                        pos = end + 1;
                    } else {
                        int s = pos;
                        while (pos < n && pos - s < 2 && Character.digit(re.charAt(pos), 16) >= 0) pos++;
                        out.append(hex(s == pos ? 0 : Integer.parseInt(re.substring(s, pos), 16)));
                    }
                }
                case 'o' -> {
                    int end = re.indexOf('}', pos);
                    if (pos + 2 >= n || re.charAt(pos + 2) != '{' || end < 0) throw unsupported("\\o");
                    out.append(hex(Integer.parseInt(re.substring(pos + 3, end), 8)));
                    pos = end + 1;
                }
                case '0' -> {
                    pos += 2;
                    int s = pos;
                    while (pos < n && pos - s < 2 && re.charAt(pos) >= '0' && re.charAt(pos) <= '7') pos++;
                    out.append(hex(s == pos ? 0 : Integer.parseInt(re.substring(s, pos), 8)));
                }
                case 'g' -> {
                    if (inClass) throw unsupported("\\g in a class");
                    pos += 2;
                    String ref;
                    if (pos < n && re.charAt(pos) == '{') {
                        int end = re.indexOf('}', pos);
                        if (end < 0) throw unsupported("\\g{");
                        ref = re.substring(pos + 1, end);
                        pos = end + 1;
                    } else {
                        int s = pos;
                        while (pos < n && Character.isDigit(re.charAt(pos))) pos++;
                        ref = re.substring(s, pos);
                    }
                    if (ref.matches("[0-9]+")) out.append("(?:\\").append(Integer.parseInt(ref)).append(')');
                    else if (ref.matches("[A-Za-z_][A-Za-z0-9_]*")) out.append("\\k<").append(ref).append('>');
                    else throw unsupported("relative back reference \\g" + ref);
                }
                case 'K' -> throw unsupported("\\K");
                default -> {
                    out.append(re, pos, pos + 2);
                    pos += 2;
                }
            }
        }

        private void charClass() {
            int n = re.length();
            out.append('[');
            pos++;
            if (pos < n && re.charAt(pos) == '^') {
                out.append('^');
                pos++;
            }
            boolean first = true;
            while (true) {
                if (pos >= n) throw new IllegalArgumentException("error in regex at offset " + n
                        + ": missing terminating ] for character class");
                char c = re.charAt(pos);
                if (c == ']' && !first) {
                    pos++;
                    break;
                }
                first = false;
                if (c == '[' && pos + 1 < n && re.charAt(pos + 1) == ':') {
                    int end = re.indexOf(":]", pos + 2);
                    if (end > 0) {
                        String name = re.substring(pos + 2, end);
                        boolean neg = name.startsWith("^");
                        if (neg) name = name.substring(1);
                        String cls = switch (name) {
                            case "alnum" -> "Alnum"; case "alpha" -> "Alpha"; case "ascii" -> "ASCII";
                            case "blank" -> "Blank"; case "cntrl" -> "Cntrl"; case "digit" -> "Digit";
                            case "graph" -> "Graph"; case "lower" -> "Lower"; case "print" -> "Print";
                            case "punct" -> "Punct"; case "space" -> "Space"; case "upper" -> "Upper";
                            case "word" -> "word"; case "xdigit" -> "XDigit";
                            default -> throw new IllegalArgumentException("error in regex at offset " + pos
                                    + ": unknown POSIX class name");
                        };
                        if (cls.equals("word")) out.append(neg ? "\\W" : "\\w");
                        else out.append(neg ? "\\P{" : "\\p{").append(cls).append('}');
                        pos = end + 2;
                        continue;
                    }
                }
                if (c == '\\') {
                    escape(true);
                } else if (c == '-' ) {
                    pos++;
                    out.append('-');
                } else {
                    pos++;
                    out.append(Character.isLetterOrDigit(c) && c < 128 ? String.valueOf(c) : hex(c));
                }
            }
            out.append(']');
        }

        private static String hex(int c) { return String.format("\\x{%x}", c); }

        private static boolean isPcreSpace(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
        }

        private IllegalArgumentException unsupported(String what) {
            return new IllegalArgumentException("error in regex at offset " + pos + ": " + what
                    + " is not supported by this server (Java regex); rewrite the pattern");
        }
    }
}
