package org.proxymap.table.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.commons.dbcp2.ConnectionFactory;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.table.LogLimiter;
import org.proxymap.table.PoolStats;
import org.proxymap.table.PooledResource;
import org.proxymap.table.TableException;

/**
 * The connections to one database target (hosts, user, database, options), shared by every
 * table that uses it: one commons-dbcp2 pool per host, hosts chosen as Postfix's
 * {@code dict_mysql_get_active()} does, and a state per host that is logged only when it
 * changes (down, back up), never per lookup.
 *
 * <p>Host choice: UNIX sockets before TCP, hosts with open connections before others,
 * random among equals. A host whose connection fails is skipped for {@code retry_interval}
 * while another host is usable; a query is tried on each usable host at most once (a
 * single host twice, as Postfix 3.10 retries a lone load balancer at once). When every host
 * is down, one lookup a second probes the host that is due first, so a recovery is noticed
 * within a second instead of after {@code retry_interval}; the other lookups answer RETRY
 * at once.
 *
 * <p>Bounded time: connect timeout, borrow wait and query timeout come from the service
 * settings. A connection idle for more than a second is pinged before use and replaced
 * when the server has closed it ({@code wait_timeout}), so that never fails a lookup,
 * while busy connections cost no extra round trip; connections idle for
 * {@code idle_interval} are closed.
 */
final class SqlPool implements PooledResource {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final long PROBE_MILLIS = 1000;
    /** A connection idle for longer is pinged before use (the server may have closed it). */
    private static final long VALIDATE_AFTER_NANOS = 1_000_000_000L;
    private static final LogLimiter busyLog = new LogLimiter(10_000);

    /** What the pool connects to, resolved from the .cf file and option files. */
    record Target(List<HostSpec> hosts, String user, String password, String dbname, Properties driverProperties,
                  String tlsIdentity,
                  int retryInterval, int idleInterval, int poolMax, Duration connectTimeout, Duration queryTimeout,
                  String defaultSocket, int defaultPort) {

        /** user@hosts/dbname: what logs and JMX show. Never the password. */
        String describe() {
            StringBuilder sb = new StringBuilder(user.isEmpty() ? "(default user)" : user).append('@');
            for (int i = 0; i < hosts.size(); i++) sb.append(i > 0 ? "," : "").append(hosts.get(i).entry());
            return sb.append('/').append(dbname).toString();
        }
    }

    /** Work done with one borrowed connection. */
    interface Work<T> {
        T run(Connection c, boolean noBackslashEscapes) throws SQLException;
    }

    /** A query failed for a reason that is not the host's (bad SQL, timeout of one query). */
    static final class QueryFailed extends Exception {
        QueryFailed(String message, Throwable cause) { super(message, cause, false, false); }
    }

    /**
     * The hosts one table stays away from after a query of its own failed there, until
     * {@code retry_interval} has passed: dict_pgsql.c marks the host down on any query
     * error, even bad SQL. Kept per table, so one table's broken query does not take the
     * host away from the other tables that share the pool (in Postfix each table has its
     * own connections, so it does not either).
     */
    static final class QueryHolds {
        private final java.util.concurrent.atomic.AtomicLongArray untilMillis;

        private QueryHolds(int hosts) { untilMillis = new java.util.concurrent.atomic.AtomicLongArray(hosts); }

        boolean held(int host, long now) { return untilMillis.get(host) > now; }

        void hold(int host, long until) { untilMillis.set(host, until); }
    }

    /** Holds for one more table of this pool (see {@link QueryHolds}). */
    QueryHolds newQueryHolds() { return new QueryHolds(hosts.size()); }

    private final Target target;
    private final SqlDriver driver;
    private final String description;
    private final ConnectionBudget budget;
    private final List<Host> hosts = new ArrayList<>();
    private final AtomicLong connectFailures = new AtomicLong();
    private volatile String hostInUse = "";

    SqlPool(Target target, ConnectionBudget budget) { this(target, budget, MysqlDriver.INSTANCE); }

    SqlPool(Target target, ConnectionBudget budget, SqlDriver driver) {
        this.target = target;
        this.driver = driver;
        this.description = target.describe();
        this.budget = budget;
        for (HostSpec h : target.hosts()) hosts.add(new Host(h));
        hosts.forEach(budget::register);
    }

    String description() { return description; }

    private enum State { UNKNOWN, UP, DOWN }

    private final class Host implements ConnectionBudget.IdleHolder {
        final HostSpec spec;
        final BasicDataSource ds;
        final AtomicReference<State> state = new AtomicReference<>(State.UNKNOWN);
        volatile long retryAtMillis;
        /** When it was last marked down: a query on a connection borrowed before that does not mark it up. */
        volatile long downAtNanos;
        final AtomicLong lastProbeMillis = new AtomicLong();
        /** While the server refuses more connections, until when this pool keeps to the ones it has. */
        volatile long shrunkUntilMillis;

        Host(HostSpec spec) {
            this.spec = spec;
            this.ds = new BasicDataSource() {
                @Override
                protected ConnectionFactory createConnectionFactory() throws SQLException {
                    ConnectionFactory inner = super.createConnectionFactory();
                    return () -> {
                        try {
                            return budget.open(target.queryTimeout(), Host.this, inner::createConnection);
                        } catch (SQLException e) {
                            if (!(e instanceof ConnectionBudget.Exhausted) && !(e instanceof ConnectionBudget.UseIdle)) {
                                connectFailures.incrementAndGet();
                            }
                            throw e;
                        }
                    };
                }
            };
            driver.configure(ds, spec, target);
            int max = Math.min(target.poolMax(), budget.max());
            ds.setMaxTotal(max);
            ds.setMaxIdle(max);
            ds.setMinIdle(0);
            ds.setInitialSize(0);
            ds.setMaxWait(target.queryTimeout());
            // checked in run() when idle for more than a second, instead of a ping per borrow
            ds.setTestOnBorrow(false);
            ds.setTestWhileIdle(true);
            ds.setAccessToUnderlyingConnectionAllowed(true);
            ds.setValidationQueryTimeout(target.connectTimeout());
            ds.setFastFailValidation(true);
            ds.setMinEvictableIdle(Duration.ofSeconds(target.idleInterval()));
            ds.setDurationBetweenEvictionRuns(Duration.ofSeconds(Math.max(1, Math.min(30, target.idleInterval() / 2))));
            ds.setNumTestsPerEvictionRun(target.poolMax());
            ds.setDefaultAutoCommit(true);
            ds.setLifo(true); // reuse the warmest connection; the rest idle out
        }

        @Override
        public int idle() { return ds.getNumIdle(); }

        @Override
        public void closeIdle() {
            var p = ds.getConnectionPool();
            if (p != null) p.clear();
        }

        boolean usable(long now) { return state.get() != State.DOWN || now >= retryAtMillis; }

        boolean connected() { return ds.getNumIdle() + ds.getNumActive() > 0; }

        /** Whether the pool has a connection, waiting up to {@code millis} for one being opened by another lookup. */
        boolean connectedWithin(long millis) {
            long end = System.nanoTime() + millis * 1_000_000;
            while (!connected()) {
                if (System.nanoTime() - end > 0) return false;
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }

        String name() { return spec.entry(); }

        void markUp() { markUp(System.nanoTime()); }

        /**
         * A query worked on a connection borrowed at {@code borrowedAt}. One borrowed before the
         * host was marked down (in flight when the server died) says nothing about the server now.
         */
        void markUp(long borrowedAt) {
            hostInUse = spec.entry();
            if (state.get() == State.DOWN && borrowedAt - downAtNanos < 0) return;
            State was = state.getAndSet(State.UP);
            if (was == State.DOWN) log.info("{} {}: server {} is back up", driver.kind(), description, name());
        }

        /** Keeps this pool to the connections it has while the server allows no more. */
        void shrink(SQLException e) {
            int open = Math.max(1, ds.getNumActive() + ds.getNumIdle());
            boolean first = shrunkUntilMillis == 0;
            shrunkUntilMillis = System.currentTimeMillis() + target.retryInterval() * 1000L;
            if (ds.getMaxTotal() > open) ds.setMaxTotal(open);
            if (first) {
                log.warn("{} {}: server {} accepts no more connections now ({}); this pool keeps to its {} for {} s;"
                        + " raise the server's max_connections or lower proxymap_sql_pool_max_connections",
                        driver.kind(), description, name(), message(e), open, target.retryInterval());
            }
        }

        void restoreSize() {
            long until = shrunkUntilMillis;
            if (until != 0 && System.currentTimeMillis() >= until) {
                shrunkUntilMillis = 0;
                ds.setMaxTotal(Math.min(target.poolMax(), budget.max()));
            }
        }

        void markDown(SQLException e) {
            long retry = hosts.size() > 1 ? target.retryInterval() * 1000L : PROBE_MILLIS;
            retryAtMillis = System.currentTimeMillis() + retry;
            downAtNanos = System.nanoTime();
            State was = state.getAndSet(State.DOWN);
            if (was != State.DOWN) {
                log.warn("{} {}: server {} is down: {}; {}", driver.kind(), description, name(), message(e),
                        hosts.size() > 1 ? "other hosts take its lookups, it is tried again in " + target.retryInterval() + " s"
                                : "lookups answer RETRY until it is back (probed every second)");
            }
            // connections opened before the failure are suspect: drop the idle ones
            try {
                ds.getConnectionPool().clear();
            } catch (RuntimeException ignored) {
                // pool not created yet
            }
        }
    }

    /** A driver message without the password, whatever the driver put in it. */
    String message(Throwable e) {
        String m = String.valueOf(e.getMessage());
        String wrapper = "Cannot create PoolableConnectionFactory (";
        if (m.startsWith(wrapper) && m.endsWith(")")) m = m.substring(wrapper.length(), m.length() - 1);
        Throwable c = e.getCause();
        if (e instanceof SQLException && c != null && c.getMessage() != null && !m.contains(c.getMessage())
                && !(c instanceof NoSuchElementException)) {
            m = m + ": " + c.getMessage();
        }
        String pw = target.password();
        if (pw.length() >= 3) m = m.replace(pw, "*****");
        return m.replace('\n', ' ');
    }

    /**
     * Runs {@code work} on a connection to some host, failing over as described above.
     *
     * @throws TableException RETRY when no host could run it
     * @throws QueryFailed when the query itself failed (the host stays up)
     */
    <T> T run(Work<T> work) throws TableException, QueryFailed { return run(work, null); }

    /**
     * As {@link #run(Work)}; with {@code holds}, a failed query marks the host down for
     * this table (for {@code retry_interval}) and the next host is tried, as dict_pgsql.c does.
     */
    <T> T run(Work<T> work, QueryHolds holds) throws TableException, QueryFailed {
        long deadline = System.nanoTime() + target.queryTimeout().toNanos();
        int[] attempts = new int[hosts.size()];
        int allowed = hosts.size() == 1 ? 2 : 1;
        SQLException last = null;
        SQLException queryError = null;
        String queryErrorHost = null;
        boolean chosen = false;
        while (true) {
            Host h = choose(attempts, allowed, holds);
            if (h == null) break;
            chosen = true;
            h.restoreSize();
            attempts[hosts.indexOf(h)]++;
            Connection c;
            long borrowedAt = System.nanoTime();
            try {
                try {
                    c = h.ds.getConnection();
                } catch (RuntimeException e) {
                    throw new SQLException(e.getMessage(), "08000", e);
                }
            } catch (SQLException e) {
                if (has(e, ConnectionBudget.UseIdle.class) && System.nanoTime() - deadline < 0) {
                    attempts[hosts.indexOf(h)]--;
                    continue;
                }
                if (isCapOrBusy(e)) {
                    String m = driver.kind() + " " + description + ": " + message(e) + capHint(e);
                    busyLog.warn(description, m + "; lookups answer RETRY meanwhile");
                    throw TableException.retry(m);
                }
                if (driver.serverFull(e) && h.connectedWithin(100)) {
                    // the server is up but allows no more connections: wait for one of ours
                    h.shrink(e);
                    attempts[hosts.indexOf(h)]--;
                    if (System.nanoTime() - deadline < 0) continue;
                    throw TableException.retry(driver.kind() + " " + description + ": " + message(e));
                }
                last = e;
                h.markDown(e);
                continue;
            }
            ConnectionBudget.Stamped stamp = stamp(c);
            if (stamp != null && System.nanoTime() - stamp.lastUsedNanos() > VALIDATE_AFTER_NANOS && !valid(c)) {
                // closed by the server (wait_timeout) or the network: drop it and borrow again
                invalidate(h, c);
                attempts[hosts.indexOf(h)]--;
                if (System.nanoTime() - deadline < 0) continue;
                throw TableException.retry(driver.kind() + " " + description + ": no valid connection within the query timeout");
            }
            try (c) {
                boolean noBackslash = driver.literalBackslashes(c);
                // statements on the driver's connection: dbcp2's statement wrappers register a
                // finalizer each (java-stack.md 6.9: pins virtual threads); ours are closed at once
                T result = work.run(raw(c), noBackslash);
                if (stamp != null) stamp.touch();
                h.markUp(borrowedAt);
                return result;
            } catch (SQLException e) {
                if (!driver.isConnectionError(e)) {
                    h.markUp(borrowedAt);
                    if (holds == null || driver.isQueryTimeout(e)) throw new QueryFailed(message(e), e);
                    holds.hold(hosts.indexOf(h), System.currentTimeMillis() + target.retryInterval() * 1000L);
                    queryError = e;
                    queryErrorHost = h.name();
                    continue;
                }
                last = e;
                h.markDown(e);
            }
        }
        if (queryError != null) throw new QueryFailed("fatal error from host " + queryErrorHost + ": " + message(queryError), queryError);
        if (!chosen && holds != null && allHeld(holds)) {
            throw TableException.retry(driver.kind() + " " + description + ": every host is held back for retry_interval ("
                    + target.retryInterval() + " s) after a failed query of this table");
        }
        throw TableException.retry(driver.kind() + " " + description + ": no database server available"
                + (last != null ? " (" + message(last) + ")" : " (every host is down)"));
    }

    private boolean allHeld(QueryHolds holds) {
        long now = System.currentTimeMillis();
        for (int i = 0; i < hosts.size(); i++) if (!holds.held(i, now)) return false;
        return true;
    }

    private String capHint(SQLException e) {
        boolean global = has(e, ConnectionBudget.Exhausted.class) || target.poolMax() > budget.max();
        return global ? "; raise proxymap_sql_max_connections (" + budget.max() + ") if the database allows more"
                : "; raise proxymap_sql_pool_max_connections (" + target.poolMax() + ") if the database allows more";
    }

    private Host choose(int[] attempts, int allowed, QueryHolds holds) {
        long now = System.currentTimeMillis();
        List<Host> best = new ArrayList<>();
        int bestRank = Integer.MAX_VALUE;
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get(i);
            if (attempts[i] >= allowed) continue;
            // a single host is retried at once after a failure in this same lookup
            if ((!h.usable(now) || (holds != null && holds.held(i, now))) && attempts[i] == 0) continue;
            int rank = driver.rank(h.spec, h.connected());
            if (rank < bestRank) {
                best.clear();
                bestRank = rank;
            }
            if (rank == bestRank) best.add(h);
        }
        if (!best.isEmpty()) return best.get(ThreadLocalRandom.current().nextInt(best.size()));
        // every host is down: one probe a second, to the host due first
        Host due = null;
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get(i);
            if (attempts[i] > 0 || (holds != null && holds.held(i, now))) continue;
            if (due == null || h.retryAtMillis < due.retryAtMillis) due = h;
        }
        if (due == null) return null;
        long lastProbe = due.lastProbeMillis.get();
        if (now - lastProbe < PROBE_MILLIS || !due.lastProbeMillis.compareAndSet(lastProbe, now)) return null;
        return due;
    }

    private static Connection raw(Connection c) {
        if (c instanceof org.apache.commons.dbcp2.DelegatingConnection<?> d && d.getInnermostDelegate() != null) {
            return d.getInnermostDelegate();
        }
        return c;
    }

    private static ConnectionBudget.Stamped stamp(Connection c) {
        if (c instanceof org.apache.commons.dbcp2.DelegatingConnection<?> d
                && d.getInnermostDelegate() instanceof ConnectionBudget.Stamped s) {
            return s;
        }
        return null;
    }

    private boolean valid(Connection c) {
        try {
            return c.isValid((int) Math.max(1, target.connectTimeout().toSeconds()));
        } catch (SQLException e) {
            return false;
        }
    }

    private static void invalidate(Host h, Connection c) {
        try {
            h.ds.invalidateConnection(c);
        } catch (IllegalStateException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    private static boolean has(Throwable e, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return true;
        return false;
    }

    /** The pool is full (every connection busy) or the global cap is reached: not the host's fault. */
    private static boolean isCapOrBusy(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectionBudget.Exhausted) return true;
            if (t instanceof NoSuchElementException && String.valueOf(t.getMessage()).contains("Timeout")) return true;
        }
        return false;
    }

    Duration queryTimeout() { return target.queryTimeout(); }

    @Override
    public PoolStats poolStats() {
        int active = 0, idle = 0, waiters = 0;
        long created = 0, destroyed = 0;
        int down = 0;
        for (Host h : hosts) {
            if (h.state.get() == State.DOWN) down++;
            active += h.ds.getNumActive();
            idle += h.ds.getNumIdle();
            var p = h.ds.getConnectionPool();
            if (p != null) {
                waiters += p.getNumWaiters();
                created += p.getCreatedCount();
                destroyed += p.getDestroyedCount();
            }
        }
        return new PoolStats(driver.kind() + ":" + description, description, hostInUse, active, idle, waiters,
                Math.min(target.poolMax(), budget.max()) * hosts.size(), created, destroyed, connectFailures.get(), hosts.size(), down);
    }

    @Override
    public void close() {
        hosts.forEach(budget::unregister);
        for (Host h : hosts) {
            try {
                h.ds.close();
            } catch (SQLException e) {
                log.debug("{} {}: closing pool for {}: {}", driver.kind(), description, h.name(), message(e));
            }
        }
    }
}
