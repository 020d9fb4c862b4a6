package org.proxymap.table;

import java.util.function.Consumer;

/**
 * A table's warning that a client can trigger at will (a damaged file, a hostile key): logged
 * at most once a second, with a count of what was held back, so that the log cannot be flooded.
 */
public final class WarnOncePerSecond {
    private final Consumer<String> log;
    private long lastMillis;
    private long suppressed;

    public WarnOncePerSecond(Consumer<String> log) { this.log = log; }

    /** @return the message, for the client's reply or the table's last error */
    public synchronized String warn(String message) {
        long now = System.currentTimeMillis();
        if (now - lastMillis >= 1000) {
            log.accept(suppressed == 0 ? message : message + " (" + suppressed + " more like this)");
            lastMillis = now;
            suppressed = 0;
        } else {
            suppressed++;
        }
        return message;
    }
}
