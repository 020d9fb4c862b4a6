package org.proxymap.table;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Warnings that would repeat on every lookup (a failing query, an empty result) are logged
 * at most once per interval per subject, with a count of the ones held back, so a broken
 * table cannot flood the log. Postfix logs such warnings on every request; one per interval
 * says the same without drowning the rest of the log.
 */
public final class LogLimiter {
    private static final Logger log = LogManager.getLogger("proxymap");
    private final long intervalMillis;
    private final ConcurrentHashMap<String, long[]> last = new ConcurrentHashMap<>();

    public LogLimiter(long intervalMillis) { this.intervalMillis = intervalMillis; }

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
        log.warn(held == 0 ? message : message + " (" + held + " more like this held back)");
    }

}
