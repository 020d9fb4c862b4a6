package org.proxymap.table.pattern;

import java.util.List;
import java.util.function.Consumer;
import org.proxymap.table.file.PostfixLines;

/**
 * Parses a regexp: or pcre: rule file as dict_regexp_open()/dict_pcre_open() do: a rule
 * that cannot be used is skipped with a warning that names map and line, the rest of the
 * table still works. The warnings are Postfix's own texts.
 */
final class RuleFileParser {

    /** What differs between regexp: and pcre:. */
    interface Dialect {
        /** "regexp" or "pcre" as in "regexp map X, line N: ...". */
        String kind();

        int defaultOptions();

        /** regexp: flags end at '!' (a second pattern may follow); pcre: only at whitespace. */
        boolean secondPattern();

        /**
         * Applies one flag character.
         *
         * @return the new options, or -1 after warning (rule skipped)
         */
        int flag(int options, char c, String where, Consumer<String> warn);

        /** @throws IllegalArgumentException with the compiler's message */
        CompiledPattern compile(String regex, int options);

        /** The words that end a closing-delimiter warning ("skipping" / "ignoring"). */
        String noDelimiterAction();
    }

    private record Pat(String regex, int options, boolean match) {}

    private final Dialect dialect;
    private final String mapName;
    private final boolean noRegsub;
    private final Consumer<String> warn;
    private String rest;

    RuleFileParser(Dialect dialect, String mapName, boolean noRegsub, Consumer<String> warn) {
        this.dialect = dialect;
        this.mapName = mapName;
        this.noRegsub = noRegsub;
        this.warn = warn;
    }

    List<Rule> parse(String content, String path) {
        return RuleBlocks.parse(content, path, (line, depth) -> {
            String text = RuleBlocks.trimEnd(line.text());
            return text.isEmpty() ? null : parseLine(line.number(), text, depth);
        }, this::where, warn);
    }

    private String where(int line) { return dialect.kind() + " map " + mapName + ", line " + line; }

    private Rule parseLine(int line, String p, int nesting) {
        String w = where(line);
        if (!Replacement.isAlnum(p.charAt(0))) {
            rest = p;
            Pat first = getPat(w);
            if (first == null) return null;
            Pat second = null;
            if (dialect.secondPattern() && rest.startsWith("!")) {
                second = getPat(w);
                if (second == null) return null;
            }
            String result = RuleBlocks.skipSpace(rest);
            if (result.isEmpty()) warn.accept(w + ": no replacement text: using empty string");
            Replacement repl;
            try {
                repl = Replacement.parse(result, w);
            } catch (IllegalArgumentException e) {
                warn.accept(e.getMessage());
                warn.accept(w + ": bad replacement syntax: skipping this rule");
                return null;
            }
            if (repl.maxSub() > 0 && !first.match()) {
                warn.accept(w + ": $number found in negative match replacement text: skipping this rule");
                return null;
            }
            if (repl.maxSub() > 0 && noRegsub) {
                warn.accept(w + ": regular expression substitution is not allowed: skipping this rule");
                return null;
            }
            CompiledPattern c1 = compile(first, w);
            if (c1 == null) return null;
            if (repl.maxSub() > c1.groupCount()) {
                warn.accept(w + ": out of range replacement index \"" + repl.maxSub() + "\": skipping this rule");
                return null;
            }
            CompiledPattern c2 = null;
            if (second != null) {
                c2 = compile(second, w);
                if (c2 == null) return null;
            }
            return new Rule.Match(line, c1, first.match(), c2, second == null || second.match(), repl);
        }
        if (RuleBlocks.keyword(p, "IF")) {
            rest = RuleBlocks.skipSpace(p.substring(2));
            Pat pat = getPat(w);
            if (pat == null) return null;
            String extra = RuleBlocks.skipSpace(rest);
            if (!extra.isEmpty()) {
                warn.accept(w + ": ignoring extra text after IF statement: \"" + extra + "\"");
                warn.accept(w + ": do not prepend whitespace to statements between IF and ENDIF");
            }
            CompiledPattern c = compile(pat, w);
            return c == null ? null : new Rule.If(line, c, pat.match());
        }
        if (RuleBlocks.keyword(p, "ENDIF")) {
            if (nesting == 0) {
                warn.accept(w + ": ignoring ENDIF without matching IF");
                return null;
            }
            if (!RuleBlocks.skipSpace(p.substring(5)).isEmpty()) warn.accept(w + ": ignoring extra text after ENDIF");
            return new Rule.Endif(line);
        }
        warn.accept(w + ": ignoring unrecognized request");
        return null;
    }

    private CompiledPattern compile(Pat pat, String w) {
        try {
            return dialect.compile(pat.regex(), pat.options());
        } catch (IllegalArgumentException e) {
            warn.accept(w + ": " + e.getMessage());
            return null;
        }
    }

    /** dict_regexp_get_pat()/dict_pcre_get_pattern(): [!...]delim regex delim flags. */
    private Pat getPat(String w) {
        String p = rest;
        int i = 0;
        boolean match = true;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '!') match = !match;
            else if (!PostfixLines.isSpace(c)) break;
            i++;
        }
        if (i >= p.length()) {
            warn.accept(w + ": no regexp: skipping this rule");
            return null;
        }
        char delim = p.charAt(i++);
        int start = i;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '\\') {
                if (i + 1 < p.length()) i++;
                else if (dialect.secondPattern()) break; // dict_regexp: a final backslash ends the pattern
                else { i++; break; }
            } else if (c == delim) {
                break;
            }
            i++;
        }
        if (i >= p.length()) {
            warn.accept(w + ": no closing regexp delimiter \"" + delim + "\": " + dialect.noDelimiterAction() + " this rule");
            return null;
        }
        String regex = p.substring(start, i);
        i++;
        int options = dialect.defaultOptions();
        while (i < p.length() && !PostfixLines.isSpace(p.charAt(i)) && !(dialect.secondPattern() && p.charAt(i) == '!')) {
            options = dialect.flag(options, p.charAt(i), w, warn);
            if (options < 0) return null;
            i++;
        }
        rest = p.substring(i);
        return new Pat(regex, options, match);
    }
}
