package org.proxymap.table.pattern;

/** One compiled regular expression of a regexp: or pcre: rule. Thread-safe. */
interface CompiledPattern {
    String[] NO_GROUPS = new String[0];

    /**
     * @param wantGroups whether the caller substitutes capture groups
     * @return null when the key does not match; otherwise the groups 0..n (an entry is null
     *         when the group did not participate), or {@link #NO_GROUPS} when not wanted
     * @throws MatchBudget.Exceeded when matching ran out of its budget of key reads
     */
    String[] match(String key, boolean wantGroups);

    /** The number of capture groups ({@code re_nsub}). */
    int groupCount();

    /** Groups 0..n of a successful match, null for a group that did not participate. */
    static String[] groups(java.util.regex.Matcher m, int n) {
        String[] out = new String[n + 1];
        for (int g = 0; g <= n; g++) out[g] = m.group(g);
        return out;
    }
}
