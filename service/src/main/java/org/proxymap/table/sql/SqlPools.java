package org.proxymap.table.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Function;
import org.proxymap.config.Setting;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * What every SQL table type does with the shared resources: the service's SQL settings,
 * the process-wide {@link ConnectionBudget} and one {@link SqlPool} per database target,
 * shared by every table that uses it and released when the last one closes.
 */
final class SqlPools {
    /** The service settings that shape pools: a change re-opens the tables (see fingerprints). */
    static final Setting[] SETTINGS = {Setting.SQL_MAX_CONNECTIONS, Setting.SQL_POOL_MAX_CONNECTIONS,
            Setting.SQL_CONNECT_TIMEOUT, Setting.SQL_QUERY_TIMEOUT};

    private SqlPools() {}

    /** A pool taken for one table; {@code release} gives back the pool and the budget. */
    record Lease(SqlPool pool, Runnable release) {}

    /** The pool for {@code target} (created on first use) under the shared budget. */
    static Lease acquire(OpenContext context, SqlPool.Target target, SqlDriver driver, String poolKey, String table)
            throws TableOpenException {
        String budgetKey = ConnectionBudget.RESOURCE_KEY;
        int max = setting(context.parameters(), Setting.SQL_MAX_CONNECTIONS, driver.kind(), table);
        ConnectionBudget budget = context.resources().acquire(budgetKey, () -> new ConnectionBudget(max));
        SqlPool pool;
        try {
            pool = context.resources().acquire(poolKey, () -> new SqlPool(target, budget, driver));
        } catch (RuntimeException e) {
            context.resources().release(budgetKey);
            throw e;
        }
        return new Lease(pool, () -> {
            context.resources().release(poolKey);
            context.resources().release(budgetKey);
        });
    }

    /** The pool size and timeouts from the service settings. */
    record Limits(int poolMax, Duration connect, Duration query) {}

    static Limits limits(Function<String, String> parameters, String kind, String table) throws TableOpenException {
        int poolMax = setting(parameters, Setting.SQL_POOL_MAX_CONNECTIONS, kind, table);
        Duration connect = setting(parameters, Setting.SQL_CONNECT_TIMEOUT, kind, table);
        Duration query = setting(parameters, Setting.SQL_QUERY_TIMEOUT, kind, table);
        if (connect.isZero()) connect = Duration.ofSeconds(1);
        if (query.isZero()) query = Duration.ofSeconds(1);
        return new Limits(poolMax, connect, query);
    }

    /** A service setting, parsed by {@link Setting}; a bad value names the table it stops. */
    static <T> T setting(Function<String, String> parameters, Setting s, String kind, String table) throws TableOpenException {
        try {
            return s.value(parameters);
        } catch (IllegalArgumentException e) {
            String v = parameters.apply(s.key());
            throw new TableOpenException(kind + ":" + table + ": " + s.key() + " = " + (v == null ? s.defaultValue() : v) + ": " + e.getMessage());
        }
    }

    /** What an SQL type's {@code check()} verifies besides its own .cf file: the budget setting and the {@code domain} list. */
    static void check(OpenContext context, String kind, String table, String domain) throws TableOpenException {
        setting(context.parameters(), Setting.SQL_MAX_CONNECTIONS, kind, table);
        if (!domain.isEmpty()) new DomainList(domain, table, context).close();
    }

    /** The part of a fingerprint that a type reads from its definition; returns its {@code domain} list. */
    interface Definition {
        String append(StringBuilder sb, boolean legacy) throws TableOpenException;
    }

    /**
     * An SQL table's fingerprint: the .cf file, what {@code definition} adds (main.cf
     * parameters of a legacy table, files it names), the {@code domain} files and the pool
     * settings, so a reload re-opens the table when any of them changed.
     */
    static StringBuilder fingerprint(String name, OpenContext context, Definition definition) {
        StringBuilder sb = new StringBuilder(TableType.fileFingerprint(name));
        try {
            String domain = definition.append(sb, !name.startsWith("/") && !name.startsWith("."));
            for (String item : domain.split("[,\\s]+")) {
                String f = item.replaceFirst("^!+", "");
                if (f.startsWith("/")) sb.append("|dom:").append(TableType.fileFingerprint(f));
            }
        } catch (TableOpenException e) {
            sb.append("|bad:").append(e.getMessage());
        }
        for (Setting s : SETTINGS) sb.append('|').append(context.parameters().apply(s.key()));
        return sb;
    }

    /** A short digest of a secret, so pool keys tell passwords apart without holding them. */
    static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
