package org.proxymap.table.pattern;

import java.util.function.Consumer;

/** {@code regexp:} (regexp_table(5)): POSIX regular expressions, see {@link PosixRegex}. */
public final class RegexpType extends RuleFileType {
    private static final RuleFileParser.Dialect DIALECT = new RuleFileParser.Dialect() {
        @Override public String kind() { return "regexp"; }

        @Override public int defaultOptions() { return PosixRegex.EXTENDED | PosixRegex.ICASE; }

        @Override public boolean secondPattern() { return true; }

        @Override
        public int flag(int options, char c, String where, Consumer<String> warn) {
            switch (c) {
                case 'i': return options ^ PosixRegex.ICASE;
                case 'm': return options ^ PosixRegex.NEWLINE;
                case 'x': return options ^ PosixRegex.EXTENDED;
                default:
                    warn.accept(where + ": unknown regexp option \"" + c + "\": skipping this rule");
                    return -1;
            }
        }

        @Override public CompiledPattern compile(String regex, int options) { return PosixRegex.compile(regex, options); }

        @Override public String noDelimiterAction() { return "skipping"; }
    };

    @Override
    public String name() { return "regexp"; }

    @Override
    RuleFileParser.Dialect dialect() { return DIALECT; }
}
