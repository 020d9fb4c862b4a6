package org.proxymap.table.pattern;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A POSIX regular expression as glibc's {@code regcomp()} reads it in the C locale (which is
 * what Postfix's dict_regexp gets), translated to a {@link java.util.regex.Pattern}:
 * extended (ERE) or basic (BRE) syntax, GNU escapes ({@code \w \W \s \S \b \B \< \> \` \'}),
 * back references, bracket expressions with POSIX classes computed as explicit byte sets,
 * {@code REG_ICASE} (ASCII) and {@code REG_NEWLINE}. Keys are ISO-8859-1 decoded bytes, so
 * one char is one byte, as in the C locale.
 *
 * <p>Matching is leftmost-longest for the whole match, as POSIX requires; capture groups
 * inside that match follow Java's leftmost-first rules (see README for the difference).
 */
final class PosixRegex implements CompiledPattern {
    static final int ICASE = 1;
    static final int NEWLINE = 2;
    static final int EXTENDED = 4;

    private static final String WORD = "[A-Za-z0-9_]";
    private static final int DUP_MAX = 0x7fff;

    private final Pattern pattern;
    private final int groups;

    private PosixRegex(Pattern pattern, int groups) {
        this.pattern = pattern;
        this.groups = groups;
    }

    /** @throws IllegalArgumentException with glibc's regerror() text */
    static PosixRegex compile(String re, int options) {
        Translator t = new Translator(re, (options & EXTENDED) != 0, (options & ICASE) != 0, (options & NEWLINE) != 0);
        String java = t.translate();
        int flags = (options & ICASE) != 0 ? Pattern.CASE_INSENSITIVE : 0;
        try {
            return new PosixRegex(Pattern.compile(java, flags), t.groups);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("Invalid regular expression (" + e.getDescription() + ")");
        }
    }

    /** The Java regex this compiles to (for tests and diagnostics). */
    String javaPattern() { return pattern.pattern(); }

    @Override
    public int groupCount() { return groups; }

    @Override
    public String[] match(String key, boolean wantGroups) {
        MatchBudget budgeted = new MatchBudget(key);
        Matcher m = pattern.matcher(budgeted);
        if (!m.find()) return null;
        if (!wantGroups) return NO_GROUPS;
        int start = m.start();
        int end = m.end();
        // POSIX: the longest of the leftmost matches. Java found the leftmost start; look for
        // a longer end with the same start (anchors and lookarounds still see the whole key).
        Matcher longest = pattern.matcher(budgeted).useTransparentBounds(true).useAnchoringBounds(false);
        for (int e = key.length(); e > end; e--) {
            longest.region(start, e);
            if (longest.matches()) {
                m = longest;
                break;
            }
        }
        return CompiledPattern.groups(m, groups);
    }

    /** Recursive-descent reader of glibc's ERE/BRE grammar that writes Java regex syntax. */
    private static final class Translator {
        private final String re;
        private final boolean ere;
        private final boolean icase;
        private final boolean newline;
        private int pos;
        int groups;
        private final BitSet closed = new BitSet();
        private int depth;

        Translator(String re, boolean ere, boolean icase, boolean newline) {
            this.re = re;
            this.ere = ere;
            this.icase = icase;
            this.newline = newline;
        }

        String translate() {
            String out = regex(true);
            if (pos < re.length()) {
                // only an unmatched close paren can stop the top level
                throw new IllegalArgumentException("Unmatched ) or \\)");
            }
            return out;
        }

        private boolean atAlt() {
            return ere ? peek() == '|' : peek2("\\|");
        }

        private boolean atClose() {
            return depth > 0 && (ere ? peek() == ')' : peek2("\\)"));
        }

        private int peek() { return pos < re.length() ? re.charAt(pos) : -1; }

        private boolean peek2(String s) { return re.startsWith(s, pos); }

        private String regex(boolean caretAnchors) {
            StringBuilder sb = new StringBuilder();
            sb.append(branch(caretAnchors));
            while (atAlt()) {
                pos += ere ? 1 : 2;
                sb.append('|').append(branch(true));
            }
            return sb.toString();
        }

        private String branch(boolean caretHere) {
            StringBuilder sb = new StringBuilder();
            boolean first = true;
            while (pos < re.length() && !atAlt() && !atClose()) {
                sb.append(expression(first && caretHere));
                first = false;
            }
            return sb.toString();
        }

        /** One atom with its repetition operators (glibc parse_expression). */
        private String expression(boolean caretHere) {
            int c = peek();
            String atom;
            boolean anchor = false;
            if (ere && (c == '*' || c == '+' || c == '?' || c == '{')) {
                throw new IllegalArgumentException("Invalid preceding regular expression");
            }
            if (!ere && peek2("\\{")) throw new IllegalArgumentException("Invalid preceding regular expression");
            if (c == '^' && (ere || caretHere)) {
                pos++;
                atom = newline ? "(?:\\A|(?<=\\n))" : "\\A";
                anchor = true;
            } else if (c == '$' && (ere || dollarIsAnchor())) {
                pos++;
                atom = newline ? "(?:\\z|(?=\\n))" : "\\z";
                anchor = true;
            } else if (c == '.') {
                pos++;
                atom = newline ? "[^\\n]" : "(?s:.)";
            } else if (c == '[') {
                pos++;
                atom = bracket();
            } else if (ere && c == '(') {
                pos++;
                atom = group();
            } else if (c == '\\') {
                anchorEscape = false;
                atom = escape();
                anchor = anchorEscape;
            } else {
                pos++;
                atom = literal((char) c);
            }
            if (anchor) return atom; // glibc: anchors take no repetition; a following * starts a new expression
            boolean quantified = false;
            while (true) {
                String q = dupOp();
                if (q == null) break;
                if (quantified && !ere && (q.equals("*") || q.startsWith("{"))) {
                    throw new IllegalArgumentException("Invalid preceding regular expression");
                }
                atom = (quantified ? "(?:" + atom + ")" : atom) + q;
                quantified = true;
            }
            return atom;
        }

        /** BRE: $ is an anchor only at the end of the RE or before \) or \|. */
        private boolean dollarIsAnchor() {
            int next = pos + 1;
            return next == re.length() || re.startsWith("\\)", next) || re.startsWith("\\|", next);
        }

        private String dupOp() {
            int c = peek();
            if (c == '*') {
                pos++;
                return "*";
            }
            if (ere && (c == '+' || c == '?')) {
                pos++;
                return String.valueOf((char) c);
            }
            if (!ere && (peek2("\\+") || peek2("\\?"))) {
                pos += 2;
                return String.valueOf(re.charAt(pos - 1));
            }
            if (ere ? c == '{' : peek2("\\{")) {
                pos += ere ? 1 : 2;
                return interval();
            }
            return null;
        }

        private String interval() {
            int min = -1;
            int max;
            int start = pos;
            while (pos < re.length() && Character.isDigit(re.charAt(pos)) && re.charAt(pos) < 128) pos++;
            if (pos > start) min = Math.min(Integer.parseInt(re.substring(start, Math.min(pos, start + 6))), DUP_MAX + 1);
            if (pos < re.length() && re.charAt(pos) == ',') {
                pos++;
                if (min < 0) min = 0; // glibc reads {,n} as {0,n}
                int s2 = pos;
                while (pos < re.length() && re.charAt(pos) >= '0' && re.charAt(pos) <= '9') pos++;
                max = pos > s2 ? Math.min(Integer.parseInt(re.substring(s2, Math.min(pos, s2 + 6))), DUP_MAX + 1) : -1;
            } else {
                max = min;
            }
            boolean closeOk = ere ? peek() == '}' : peek2("\\}");
            if (!closeOk) {
                if (pos >= re.length()) throw new IllegalArgumentException("Unmatched \\{");
                throw new IllegalArgumentException("Invalid content of \\{\\}");
            }
            pos += ere ? 1 : 2;
            if (min < 0) throw new IllegalArgumentException("Invalid content of \\{\\}");
            if (max != -1 && min > max) throw new IllegalArgumentException("Invalid content of \\{\\}");
            if (min > DUP_MAX || max > DUP_MAX) throw new IllegalArgumentException("Regular expression too big");
            return max == -1 ? "{" + min + ",}" : (min == max ? "{" + min + "}" : "{" + min + "," + max + "}");
        }

        private String group() {
            int number = ++groups;
            depth++;
            String inner = regex(true);
            depth--;
            if (ere ? peek() != ')' : !peek2("\\)")) throw new IllegalArgumentException("Unmatched ( or \\(");
            pos += ere ? 1 : 2;
            closed.set(number);
            return "(" + inner + ")";
        }

        /** Set by {@link #escape()} for \\b \\B \\< \\> \\` \\' (anchors: no repetition). */
        private boolean anchorEscape;

        private String escape() {
            pos++;
            if (pos >= re.length()) throw new IllegalArgumentException("Trailing backslash");
            char c = re.charAt(pos++);
            if (!ere) {
                if (c == '(') return group();
                if (c == ')') throw new IllegalArgumentException("Unmatched ) or \\)");
                if (c == '{') throw new IllegalArgumentException("Invalid preceding regular expression");
            }
            if (c >= '1' && c <= '9') {
                int n = c - '0';
                if (!closed.get(n)) throw new IllegalArgumentException("Invalid back reference");
                return "(?:\\" + n + ")";
            }
            anchorEscape = "bB<>`'".indexOf(c) >= 0;
            return switch (c) {
                case 'w' -> WORD;
                case 'W' -> "[^A-Za-z0-9_]";
                case 's' -> "[ \\t\\n\\x0B\\f\\r]";
                case 'S' -> "[^ \\t\\n\\x0B\\f\\r]";
                case 'b' -> "(?:(?<=" + WORD + ")(?!" + WORD + ")|(?<!" + WORD + ")(?=" + WORD + "))";
                case 'B' -> "(?:(?<=" + WORD + ")(?=" + WORD + ")|(?<!" + WORD + ")(?!" + WORD + "))";
                case '<' -> "(?<!" + WORD + ")(?=" + WORD + ")";
                case '>' -> "(?<=" + WORD + ")(?!" + WORD + ")";
                case '`' -> "\\A";
                case '\'' -> "\\z";
                default -> literal(c);
            };
        }

        private static String literal(char c) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return String.valueOf(c);
            return String.format("\\x{%x}", (int) c);
        }

        /** A bracket expression, after '[': computed as a set of bytes. */
        private String bracket() {
            BitSet set = new BitSet(256);
            boolean negate = false;
            if (peek() == '^') {
                negate = true;
                pos++;
            }
            boolean first = true;
            while (true) {
                if (pos >= re.length()) throw unmatchedBracket();
                char c = re.charAt(pos);
                if (c == ']' && !first) {
                    pos++;
                    break;
                }
                first = false;
                int lo;
                if (c == '[' && pos + 1 < re.length() && re.charAt(pos + 1) == ':') {
                    pos += 2;
                    int end = re.indexOf(":]", pos);
                    if (end < 0) throw unmatchedBracket();
                    addClass(set, re.substring(pos, end));
                    pos = end + 2;
                    if (peek() == '-' && pos + 1 < re.length() && re.charAt(pos + 1) != ']') {
                        throw new IllegalArgumentException("Invalid range end");
                    }
                    continue;
                }
                lo = element();
                if (peek() == '-' && pos + 1 < re.length() && re.charAt(pos + 1) != ']') {
                    pos++;
                    if (re.startsWith("[:", pos)) throw new IllegalArgumentException("Invalid range end");
                    int hi = element();
                    if (hi < lo) throw new IllegalArgumentException("Invalid range end");
                    set.set(lo, hi + 1);
                } else {
                    set.set(lo);
                }
            }
            if (icase) {
                for (int ch = 'a'; ch <= 'z'; ch++) {
                    if (set.get(ch) || set.get(ch - 32)) {
                        set.set(ch);
                        set.set(ch - 32);
                    }
                }
            }
            if (negate) {
                set.flip(0, 256);
                if (newline) set.clear('\n');
            }
            return charClass(set);
        }

        /** One bracket element: a byte, [.c.] or [=c=]. */
        private int element() {
            if (pos >= re.length()) throw unmatchedBracket();
            char c = re.charAt(pos);
            if (c == '[' && pos + 1 < re.length() && (re.charAt(pos + 1) == '.' || re.charAt(pos + 1) == '=')) {
                char kind = re.charAt(pos + 1);
                int end = re.indexOf(new String(new char[] {kind, ']'}), pos + 2);
                if (end < 0) throw unmatchedBracket();
                String name = re.substring(pos + 2, end);
                pos = end + 2;
                if (name.length() != 1) throw new IllegalArgumentException("Invalid collation character");
                return name.charAt(0);
            }
            pos++;
            return c;
        }

        private static IllegalArgumentException unmatchedBracket() {
            return new IllegalArgumentException("Unmatched [, [^, [:, [., or [=");
        }

        private static void addClass(BitSet set, String name) {
            for (int c = 0; c < 128; c++) {
                boolean in = switch (name) {
                    case "alpha" -> Character.isLetter(c);
                    case "upper" -> c >= 'A' && c <= 'Z';
                    case "lower" -> c >= 'a' && c <= 'z';
                    case "digit" -> c >= '0' && c <= '9';
                    case "alnum" -> Character.isLetterOrDigit(c);
                    case "xdigit" -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                    case "space" -> PostfixLinesSpace.is(c);
                    case "blank" -> c == ' ' || c == '\t';
                    case "punct" -> c > 32 && c < 127 && !Character.isLetterOrDigit(c);
                    case "print" -> c >= 32 && c < 127;
                    case "graph" -> c > 32 && c < 127;
                    case "cntrl" -> c < 32 || c == 127;
                    default -> throw new IllegalArgumentException("Invalid character class name");
                };
                if (in) set.set(c);
            }
        }

        private static String charClass(BitSet set) {
            if (set.isEmpty()) return "(?!)";
            StringBuilder sb = new StringBuilder("[");
            for (int lo = set.nextSetBit(0); lo >= 0; ) {
                int hi = set.nextClearBit(lo) - 1;
                sb.append(String.format("\\x{%x}", lo));
                if (hi > lo) sb.append('-').append(String.format("\\x{%x}", hi));
                lo = set.nextSetBit(hi + 1);
            }
            return sb.append(']').toString();
        }
    }

    /** C-locale isspace() for [:space:]. */
    private static final class PostfixLinesSpace {
        static boolean is(int c) { return org.proxymap.table.file.PostfixLines.isSpace(c); }
    }
}
