package org.proxymap.table.pattern;

/** A parsed line of a regexp:/pcre: file: a match rule, IF or ENDIF (dict_regexp.c's rule list). */
sealed interface Rule extends RuleBlocks.Line {
    /** {@code [!]/first/[!/second/] result}; second is regexp: only. */
    record Match(int line, CompiledPattern first, boolean firstMatch, CompiledPattern second,
                 boolean secondMatch, Replacement result) implements Rule {}

    /** {@code IF [!]/pattern/}: endif is the index of the matching ENDIF, or -1 when missing. */
    final class If implements Rule {
        final int line;
        final CompiledPattern pattern;
        final boolean match;
        int endif = -1;

        If(int line, CompiledPattern pattern, boolean match) {
            this.line = line;
            this.pattern = pattern;
            this.match = match;
        }

        @Override
        public int line() { return line; }

        @Override
        public boolean opensBlock() { return true; }

        @Override
        public void endif(int index) { endif = index; }
    }

    record Endif(int line) implements Rule {
        @Override
        public boolean closesBlock() { return true; }
    }
}
