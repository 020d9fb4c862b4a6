package org.proxymap.table;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;

/**
 * Warnings that would repeat on every lookup (a failing query, an empty result, a damaged file,
 * a hostile key) are logged at most once per interval per subject, with a count of the ones
 * held back, so that neither a broken table nor a client can flood the log. Postfix logs such
 * warnings on every request; one per interval says the same without drowning the rest of the log.
 */
public final class LogLimiter {
    private final long intervalMillis;
    private final Consumer<String> log;
    private final ConcurrentHashMap<String, long[]> last = new ConcurrentHashMap<>();

    /** Warnings to the "proxymap" log. */
    public LogLimiter(long intervalMillis) {
        this(intervalMillis, LogManager.getLogger("proxymap")::warn);
    }

    public LogLimiter(long intervalMillis, Consumer<String> log) {
        this.intervalMillis = intervalMillis;
        this.log = log;
    }

    public void warn(String subject, String message) {
        long now = System.currentTimeMillis();
        long[] s = last.computeIfAbsent(subject, k -> new long[] {Long.MIN_VALUE / 2, 0});
        long held;
        synchronized (s) {
            if (now - s[0] < intervalMillis) {
                s[1]++;
                return;
            }
            held = s[1];
            s[0] = now;
            s[1] = 0;
        }
        log.accept(held == 0 ? message : message + " (" + held + " more like this held back)");
    }

    /**
     * For a limiter that serves one table (a single subject).
     *
     * @return the message, for the client's reply or the table's last error
     */
    public String warn(String message) {
        warn("", message);
        return message;
    }
}
