package org.proxymap.table.pattern;

import java.util.function.Consumer;

/** {@code pcre:} (pcre_table(5)) on Java's regex engine, see {@link PcreRegex}. */
public final class PcreType extends RuleFileType {
    private static final RuleFileParser.Dialect DIALECT = new RuleFileParser.Dialect() {
        @Override public String kind() { return "pcre"; }

        @Override public int defaultOptions() { return PcreRegex.CASELESS | PcreRegex.DOTALL; }

        @Override public boolean secondPattern() { return false; }

        @Override
        public int flag(int options, char c, String where, Consumer<String> warn) {
            switch (c) {
                case 'i': return options ^ PcreRegex.CASELESS;
                case 'm': return options ^ PcreRegex.MULTILINE;
                case 's': return options ^ PcreRegex.DOTALL;
                case 'x': return options ^ PcreRegex.EXTENDED;
                case 'A': return options ^ PcreRegex.ANCHORED;
                case 'E': return options ^ PcreRegex.DOLLAR_ENDONLY;
                case 'U': return options ^ PcreRegex.UNGREEDY;
                case 'X':
                    // Postfix built with PCRE2 (Debian, and anything current) ignores X with this warning
                    warn.accept(where + ": ignoring obsolete regexp option \"X\"");
                    return options;
                default:
                    warn.accept(where + ": unknown regexp option \"" + c + "\": skipping this rule");
                    return -1;
            }
        }

        @Override public CompiledPattern compile(String regex, int options) { return PcreRegex.compile(regex, options); }

        @Override public String noDelimiterAction() { return "ignoring"; }
    };

    @Override
    public String name() { return "pcre"; }

    @Override
    RuleFileParser.Dialect dialect() { return DIALECT; }
}
