package org.proxymap.table.pattern;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.proxymap.table.file.PostfixLines;

/**
 * What regexp:, pcre: and cidr: files share (dict_regexp.c, dict_pcre.c, dict_cidr.c): logical
 * lines, the IF and ENDIF keywords, and IF/ENDIF nesting: each ENDIF closes the innermost open
 * IF, which learns the ENDIF's index (a failed IF skips there); an IF still open at the end is
 * warned about and skips to the end of the table.
 */
final class RuleBlocks {
    private RuleBlocks() {}

    /** A parsed line as the nesting sees it. */
    interface Line {
        int line();

        default boolean opensBlock() { return false; }

        default boolean closesBlock() { return false; }

        /** On an IF: the index of its ENDIF. */
        default void endif(int index) { throw new IllegalStateException("not an IF"); }
    }

    /** One line's rule, or null when it is skipped (the parser has warned). */
    @FunctionalInterface
    interface LineParser<R extends Line> {
        /** @param depth how many IFs are open: an ENDIF with none is the parser's to refuse */
        R parse(PostfixLines.Line line, int depth);
    }

    /**
     * The rules of {@code content} in file order.
     *
     * @param where "cidr map X, line N" for a line number, as Postfix's warnings begin
     */
    static <R extends Line> List<R> parse(String content, String path, LineParser<R> parser, IntFunction<String> where,
                                          Consumer<String> warn) {
        List<R> rules = new ArrayList<>();
        Deque<R> open = new ArrayDeque<>();
        for (PostfixLines.Line line : PostfixLines.parse(content, path, warn)) {
            R rule = parser.parse(line, open.size());
            if (rule == null) continue;
            if (rule.opensBlock()) open.push(rule);
            else if (rule.closesBlock()) open.pop().endif(rules.size());
            rules.add(rule);
        }
        while (!open.isEmpty()) warn.accept(where.apply(open.pop().line()) + ": IF has no matching ENDIF");
        return rules;
    }

    /** {@code word} at the start of {@code p}, in any case, not followed by a letter or digit. */
    static boolean keyword(String p, String word) {
        int n = word.length();
        return p.regionMatches(true, 0, word, 0, n) && (p.length() == n || !Replacement.isAlnum(p.charAt(n)));
    }

    static String trimEnd(String s) {
        int e = s.length();
        while (e > 0 && PostfixLines.isSpace(s.charAt(e - 1))) e--;
        return s.substring(0, e);
    }

    static String skipSpace(String s) {
        int i = 0;
        while (i < s.length() && PostfixLines.isSpace(s.charAt(i))) i++;
        return s.substring(i);
    }
}
