package org.proxymap.table.pattern;

import java.util.List;
import java.util.function.Consumer;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.LogLimiter;

/**
 * A regexp: or pcre: table: rules tried in file order, first match wins; a failed IF skips
 * to its ENDIF (dict_regexp_lookup() / dict_pcre_lookup()). The dispatcher has already
 * lowercased the key when the client asked for fold_mul.
 *
 * <p>A pattern that runs out of its {@link MatchBudget} counts as PCRE counts a match-limit
 * error (DICT_PCRE_EXEC): the rule does not apply, whether it is positive or negated, and an
 * IF skips to its ENDIF; a warning names map, line and key length.
 */
final class PatternTable implements LookupTable {
    private final Rule[] rules;
    /** "pcre map NAME" as in Postfix's warnings */
    private final String map;
    /** a client picks the key: at most one match-limit warning a second */
    private final LogLimiter warnings;

    PatternTable(List<Rule> rules, String map, Consumer<String> warn) {
        this.rules = rules.toArray(new Rule[0]);
        this.map = map;
        this.warnings = new LogLimiter(1000, warn);
    }

    int size() { return rules.length; }

    @Override
    public int implFlags() { return DictFlags.PATTERN; }

    @Override
    public String lookup(String key) {
        for (int i = 0; i < rules.length; i++) {
            try {
                switch (rules[i]) {
                    case Rule.Match m -> {
                        boolean want = m.result().maxSub() > 0;
                        String[] groups = m.first().match(key, want);
                        if ((groups != null) != m.firstMatch()) continue;
                        if (m.second() != null && (m.second().match(key, false) != null) != m.secondMatch()) continue;
                        return m.result().expand(groups == null ? CompiledPattern.NO_GROUPS : groups);
                    }
                    case Rule.If r -> {
                        if ((r.pattern.match(key, false) != null) == r.match) continue;
                        if (r.endif < 0) return null;
                        i = r.endif;
                    }
                    case Rule.Endif e -> { }
                }
            } catch (MatchBudget.Exceeded e) {
                MatchBudget.countExceeded();
                warnings.warn(map + ", line " + rules[i].line() + ": match limit exceeded (key length " + key.length()
                        + "): rule skipped; rewrite the pattern without nested or adjacent unbounded repeats");
                if (rules[i] instanceof Rule.If r) {
                    if (r.endif < 0) return null;
                    i = r.endif;
                }
            }
        }
        return null;
    }
}
