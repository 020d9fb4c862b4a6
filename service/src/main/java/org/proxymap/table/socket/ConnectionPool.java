package org.proxymap.table.socket;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Idle connections to one server, reused by lookups one at a time, as Postfix's auto_clnt
 * keeps one per process: a connection idle longer than {@code maxIdle}, or older than
 * {@code maxTtl}, is closed instead of being reused. A Postfix proxymap process holds one
 * connection per server; this server holds as many as it has lookups in flight to it.
 */
final class ConnectionPool implements AutoCloseable {
    private final Endpoint endpoint;
    private final Duration timeout;
    private final long maxIdleNanos;
    private final long maxTtlNanos;
    private final Deque<TimedChannel> idle = new ArrayDeque<>();
    private final java.util.concurrent.ScheduledFuture<?> sweeper;
    private boolean closed;

    ConnectionPool(Endpoint endpoint, Duration timeout, Duration maxIdle, Duration maxTtl) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.maxIdleNanos = maxIdle.toNanos();
        this.maxTtlNanos = maxTtl.toNanos();
        long period = Math.max(1, Math.min(1000, maxIdle.toMillis() / 2));
        this.sweeper = TimedChannel.WATCHDOG.scheduleWithFixedDelay(this::sweep, period, period,
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    Endpoint endpoint() { return endpoint; }

    /** An idle connection still fit for use, else a new one. */
    TimedChannel borrow() throws IOException {
        long now = System.nanoTime();
        while (true) {
            TimedChannel c;
            synchronized (this) {
                c = idle.pollLast();
            }
            if (c == null) break;
            if (fit(c, now)) return c;
            c.close();
        }
        return fresh();
    }

    /** A new connection, e.g. to retry after the server closed a reused one. */
    TimedChannel fresh() throws IOException {
        return TimedChannel.connect(endpoint, timeout);
    }

    /** Returns a connection after a complete exchange. */
    void giveBack(TimedChannel c) {
        c.lastUsedNanos = System.nanoTime();
        synchronized (this) {
            if (!closed && fit(c, c.lastUsedNanos)) {
                idle.addLast(c);
                return;
            }
        }
        c.close();
    }

    private boolean fit(TimedChannel c, long now) {
        return c.isOpen() && !c.hasUnreadInput() && now - c.lastUsedNanos <= maxIdleNanos && now - c.createdNanos <= maxTtlNanos;
    }

    /** Closes the connections that have been idle or alive too long (run every second at most). */
    void sweep() {
        long now = System.nanoTime();
        synchronized (this) {
            idle.removeIf(c -> {
                if (fit(c, now)) return false;
                c.close();
                return true;
            });
        }
    }

    synchronized int idleCount() { return idle.size(); }

    @Override
    public synchronized void close() {
        sweeper.cancel(false);
        closed = true;
        idle.forEach(TimedChannel::close);
        idle.clear();
    }
}
