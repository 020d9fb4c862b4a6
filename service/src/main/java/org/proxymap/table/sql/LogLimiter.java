package org.proxymap.table.sql;

/**
 * The old home of {@link org.proxymap.table.LogLimiter}, kept only so that table types
 * written against it still compile; use {@code org.proxymap.table.LogLimiter}.
 */
public final class LogLimiter extends org.proxymap.table.LogLimiter {
    public LogLimiter(long intervalMillis) { super(intervalMillis); }
}
