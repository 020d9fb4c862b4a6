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
public final class ConnectionBudget implements AutoCloseable {
    public static final String RESOURCE_KEY = "sql:connection-budget";

    /** No permit within the wait: every allowed connection is in use. */
    public static final class Exhausted extends SQLException {
        Exhausted(int max) {
            super("all " + max + " database connections allowed by proxymap_sql_max_connections are in use", "HY000");
        }
    }

    private final int max;
    private final Semaphore permits;

    public ConnectionBudget(int max) {
        this.max = max;
        this.permits = new Semaphore(max, true);
    }

    public int max() { return max; }

    int inUse() { return max - permits.availablePermits(); }

    /** A pool whose idle connections can be closed to make room for another pool's. */
    public interface IdleHolder {
        int idle();

        void closeIdle();
    }

    private final java.util.Set<IdleHolder> holders = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public void register(IdleHolder h) { holders.add(h); }

    public void unregister(IdleHolder h) { holders.remove(h); }

    /** The pool asking has an idle connection meanwhile: borrow again instead of opening one. */
    public static final class UseIdle extends SQLException {
        UseIdle() { super("an idle connection is available", "HY000"); }
    }

    /**
     * Opens a connection with {@code open} under a permit; closing the result returns it.
     * While it waits, idle connections of other pools are closed to make room, and when
     * {@code self} gets an idle connection back the wait ends with {@link UseIdle}.
     */
    Connection open(Duration wait, IdleHolder self, ConnectionOpener open) throws SQLException {
        take(wait, self);
        Connection c;
        try {
            c = open.open();
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
        AtomicBoolean released = new AtomicBoolean();
        long[] lastUsed = {System.nanoTime()};
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Stamped.class) {
                if (method.getName().equals("touch")) {
                    lastUsed[0] = System.nanoTime();
                    return null;
                }
                return lastUsed[0];
            }
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
        return (Connection) Proxy.newProxyInstance(ConnectionBudget.class.getClassLoader(),
                new Class<?>[] {Connection.class, Stamped.class}, h);
    }

    /** Takes a permit, waiting as {@link #open} describes. */
    private void take(Duration wait, IdleHolder self) throws Exhausted, UseIdle {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (!permits.tryAcquire(20, TimeUnit.MILLISECONDS)) {
                if (self.idle() > 0) throw new UseIdle();
                IdleHolder most = null;
                for (IdleHolder h : holders) if (h != self && h.idle() > 0 && (most == null || h.idle() > most.idle())) most = h;
                if (most != null) most.closeIdle();
                if (System.nanoTime() - deadline > 0) throw new Exhausted(max);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Exhausted(max);
        }
    }

    /** One connection's permit, for a connection that is not JDBC's; {@link #close} gives it back once. */
    public final class Permit implements AutoCloseable {
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit() {}

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) permits.release();
        }
    }

    /** A permit for one connection of another kind (ldap), waiting as {@link #open} does. */
    public Permit permit(Duration wait, IdleHolder self) throws Exhausted, UseIdle {
        take(wait, self);
        return new Permit();
    }

    /** When a connection was last used, so that only connections idle for a while are checked. */
    interface Stamped {
        long lastUsedNanos();

        void touch();
    }

    interface ConnectionOpener {
        Connection open() throws SQLException;
    }

    @Override
    public void close() { }
}
