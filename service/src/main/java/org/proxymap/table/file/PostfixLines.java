package org.proxymap.table.file;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Postfix's {@code readllines()} byte for byte, for rule files (regexp, pcre, cidr) where
 * whitespace inside a logical line matters: a line that starts with whitespace continues the
 * previous one and is appended as is (no separator, its leading whitespace kept); comment
 * lines ({@code #} as first non-blank) and blank lines are dropped, also between
 * continuation lines. A logical line that would start with whitespace is skipped with
 * a warning. Text is ISO-8859-1 decoded bytes.
 */
public final class PostfixLines {
    private PostfixLines() {}

    /** A logical line and the physical line number it started on. */
    public record Line(int number, String text) {}

    /** Postfix's ISSPACE: the C locale isspace(). */
    public static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    public static List<Line> parse(String content, String path, Consumer<String> warn) {
        List<Line> out = new ArrayList<>();
        int pos = 0;
        int n = content.length();
        int lineno = 0;
        while (true) {
            StringBuilder buf = new StringBuilder();
            int first = lineno;
            boolean eof;
            while (true) {
                int start = buf.length();
                int ch = -1;
                while (pos < n) {
                    char c = content.charAt(pos++);
                    if (c == '\n') { ch = '\n'; break; }
                    buf.append(c);
                }
                eof = ch == -1;
                if (ch == '\n' || buf.length() > start) lineno++;
                int cp = start;
                while (cp < buf.length() && isSpace(buf.charAt(cp))) cp++;
                if (cp == buf.length() || buf.charAt(cp) == '#') buf.setLength(start);
                if (start == 0) first = lineno;
                if (eof) break;
                if (buf.length() > 0) {
                    int next = pos < n ? content.charAt(pos) : -1;
                    if (next != '#' && !isSpace(next)) break;
                }
            }
            if (buf.length() > 0 && isSpace(buf.charAt(0))) {
                String s = buf.toString();
                warn.accept(path + ": logical line must not start with whitespace: \""
                        + (s.length() > 30 ? s.substring(0, 30) + "..." : s) + "\"");
                if (eof) break;
                continue;
            }
            if (buf.length() == 0) break;
            out.add(new Line(first, buf.toString()));
            if (eof) break;
        }
        return out;
    }

    /**
     * Postfix's {@code dict_inline_to_multiline()}: {@code { {rule}, {rule} }} to one rule
     * per line, for the inline form of regexp:, pcre: and cidr: (Postfix 3.7).
     *
     * @return the multi-line text, or null when the outer braces are missing
     */
    public static String inlineToMultiline(String name) {
        String t = name.strip();
        if (!t.startsWith("{") || !t.endsWith("}")) return null;
        StringBuilder sb = new StringBuilder();
        for (String token : org.proxymap.config.Tokens.split(t.substring(1, t.length() - 1))) {
            sb.append(org.proxymap.config.Tokens.unbrace(token)).append('\n');
        }
        return sb.toString();
    }
}
