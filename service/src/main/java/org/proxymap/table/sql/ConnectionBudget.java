package org.proxymap.table.sql;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The process-wide cap on open database connections ({@code proxymap_sql_max_connections}),
 * shared by every pool: a connection takes a permit when it is opened and gives it back
 * when it is closed. Pools wait up to their borrow timeout for a permit.
 */
final class ConnectionBudget implements AutoCloseable {
    static final String RESOURCE_KEY = "sql:connection-budget";

    /** No permit within the wait: every allowed connection is in use. */
    static final class Exhausted extends SQLException {
        Exhausted(int max) {
            super("all " + max + " database connections allowed by proxymap_sql_max_connections are in use", "HY000");
        }
    }

    private final int max;
    private final Semaphore permits;

    ConnectionBudget(int max) {
        this.max = max;
        this.permits = new Semaphore(max, true);
    }

    int max() { return max; }

    int inUse() { return max - permits.availablePermits(); }

    /** Opens a connection with {@code open} under a permit; closing the result returns it. */
    Connection open(Duration wait, ConnectionOpener open) throws SQLException {
        try {
            if (!permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) throw new Exhausted(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Exhausted(max);
        }
        Connection c;
        try {
            c = open.open();
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
        AtomicBoolean released = new AtomicBoolean();
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0 && released.compareAndSet(false, true)) {
                try {
                    c.close();
                } finally {
                    permits.release();
                }
                return null;
            }
            try {
                return method.invoke(c, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    interface ConnectionOpener {
        Connection open() throws SQLException;
    }

    @Override
    public void close() { }
}
