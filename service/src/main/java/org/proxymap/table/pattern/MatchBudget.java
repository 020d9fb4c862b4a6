package org.proxymap.table.pattern;

import java.util.concurrent.atomic.LongAdder;

/**
 * The key as one match call reads it, with a budget of character reads. Java's regex has no
 * match limit (PCRE2's {@code match_limit}), so a rule that backtracks catastrophically on a
 * client-chosen key ({@code /^(a+)+$/} on "aaa…ab") would hold a CPU for minutes; every
 * backtracking step reads the key, so counting reads bounds the work.
 */
public final class MatchBudget implements CharSequence {
    /**
     * Reads per match call: a base plus a few reads per key character, so that a linear scan
     * of a 100 KB header (even one that retries a short alternative at every position) stays
     * far inside. Measured: 1M reads of a backtracking loop take ~30 ms warm, ~0.4 s cold.
     */
    static final long BASE_READS = 1_000_000;
    static final long READS_PER_CHAR = 20;

    /** Thrown when the budget runs out: the rule is treated as PCRE treats a match-limit error. */
    static final class Exceeded extends RuntimeException {
        private Exceeded() { super("match limit exceeded", null, false, false); }
    }

    private static final Exceeded EXCEEDED = new Exceeded();
    private static final LongAdder exceededCount = new LongAdder();

    private final String key;
    private long left;

    MatchBudget(String key, long reads) {
        this.key = key;
        this.left = reads;
    }

    MatchBudget(String key) { this(key, BASE_READS + READS_PER_CHAR * key.length()); }

    /** Match calls stopped by their budget since the service started (JMX). */
    public static long exceeded() { return exceededCount.sum(); }

    static void countExceeded() { exceededCount.increment(); }

    @Override
    public char charAt(int index) {
        if (--left < 0) throw EXCEEDED;
        return key.charAt(index);
    }

    @Override
    public int length() { return key.length(); }

    @Override
    public CharSequence subSequence(int start, int end) { return key.substring(start, end); }

    @Override
    public String toString() { return key; }
}
