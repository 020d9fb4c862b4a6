package org.proxymap.reliability;

/**
 * How long a fuzz or soak test runs: its quick default in the normal suite, or the
 * duration given by scripts/fuzz ({@code -Dproxymap.fuzz.seconds}) and scripts/soak
 * ({@code -Dproxymap.soak.minutes}). The seed comes from {@code -Dproxymap.fuzz.seed}
 * when given, so that a failure is reproduced exactly.
 */
final class Budget {
    private final long endNanos;
    private final long minIterations;

    private Budget(long nanos, long minIterations) {
        this.endNanos = System.nanoTime() + nanos;
        this.minIterations = minIterations;
    }

    /** Quick mode: {@code iterations}; long mode: until proxymap.fuzz.seconds have passed. */
    static Budget fuzz(long iterations) {
        String s = System.getProperty("proxymap.fuzz.seconds");
        if (s == null || s.isBlank()) return new Budget(Long.MAX_VALUE / 4, -iterations);
        return new Budget(Long.parseLong(s.trim()) * 1_000_000_000L, 0);
    }

    static boolean longFuzz() {
        String s = System.getProperty("proxymap.fuzz.seconds");
        return s != null && !s.isBlank();
    }

    /** True while iteration {@code i} (from 0) should still run. */
    boolean more(long i) {
        if (minIterations < 0) return i < -minIterations;
        return System.nanoTime() < endNanos;
    }

    static long seed() {
        String s = System.getProperty("proxymap.fuzz.seed");
        return s == null || s.isBlank() ? System.nanoTime() : Long.parseLong(s.trim());
    }
}
