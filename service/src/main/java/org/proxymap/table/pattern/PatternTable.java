package org.proxymap.table.pattern;

import java.util.List;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;

/**
 * A regexp: or pcre: table: rules tried in file order, first match wins; a failed IF skips
 * to its ENDIF (dict_regexp_lookup() / dict_pcre_lookup()). The dispatcher has already
 * lowercased the key when the client asked for fold_mul.
 */
final class PatternTable implements LookupTable {
    private final Rule[] rules;

    PatternTable(List<Rule> rules) { this.rules = rules.toArray(new Rule[0]); }

    int size() { return rules.length; }

    @Override
    public int implFlags() { return DictFlags.PATTERN; }

    @Override
    public String lookup(String key) {
        for (int i = 0; i < rules.length; i++) {
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
        }
        return null;
    }
}
