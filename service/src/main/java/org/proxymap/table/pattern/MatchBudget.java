package org.proxymap.table.pattern;

import java.util.concurrent.atomic.LongAdder;

/**
 * The key as one match call reads it, with a budget of character reads. Java's regex has no
 * match limit (PCRE2's {@code match_limit}), so a rule that backtracks catastrophically on a
 * client-chosen key ({@code /^(a+)+$/} on "aaa…ab") would hold a CPU for minutes; every
 * backtracking step reads the key, so counting reads bounds the work.
 */
public final class MatchBudget implements CharSequence {
    /** Reads per match call: ~20–60 ms of a CPU, far above what any sane rule needs on a 100 KB key. */
    static final long READS = 10_000_000;

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

    MatchBudget(String key) { this(key, READS); }

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
