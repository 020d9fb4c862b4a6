package org.proxymap.table.sql;

import java.util.List;
import java.util.function.Function;
import org.proxymap.config.Setting;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code pgsql:/path/file.cf}: Postfix's pgsql_table(5), every parameter of 3.7–3.12, on
 * the same shared pools, connection budget, failover and JMX rows as mysql (see
 * {@link SqlPool}). Read-only, as in Postfix.
 */
public final class PgsqlType implements TableType {
    /** Debian's libpq default socket directory, for an empty {@code unix:} host. */
    static final String DEFAULT_SOCKET_DIRECTORY = PgsqlUri.DEFAULT_SOCKET_DIRECTORY;

    @Override
    public String name() { return "pgsql"; }

    /** Reads nothing at open that client flags change, and folds per request: one instance for all flags (as mysql). */
    @Override
    public int openFlagsMask() { return 0; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) throw new TableOpenException("pgsql:" + name + " map requires O_RDONLY access mode");
        PgsqlConfig cf = PgsqlConfig.load(name, context.parameters());
        PgsqlEncoding encoding = encoding(cf, context.parameters());
        SqlPool.Target target = target(cf, context.parameters());
        SqlPools.Lease lease = SqlPools.acquire(context, target, PgsqlDriver.INSTANCE, poolKey(target), name);
        DomainList domain = null;
        try {
            if (!cf.domain.isEmpty()) domain = new DomainList(cf.domain, name, context);
            return new PgsqlTable(name, cf, encoding, lease.pool(), domain, lease.release());
        } catch (TableOpenException | RuntimeException e) {
            lease.release().run();
            throw e;
        }
    }

    /** The table's client encoding: its {@code encoding}, else proxymap_pgsql_default_encoding. */
    static PgsqlEncoding encoding(PgsqlConfig cf, Function<String, String> parameters) throws TableOpenException {
        if (cf.encoding != null) return PgsqlEncoding.forName(cf.encoding);
        Setting s = Setting.PGSQL_DEFAULT_ENCODING;
        String v = parameters.apply(s.key());
        if (v == null || v.isBlank()) v = s.defaultValue();
        PgsqlEncoding e = PgsqlEncoding.forName(v.strip());
        if (e == null) {
            throw new TableOpenException("pgsql:" + cf.name + ": " + s.key() + " = " + v
                    + ": unknown or unsupported PostgreSQL client encoding; use LATIN1 (Postfix 3.7) or UTF8 (Postfix 3.8+)");
        }
        return e;
    }

    /**
     * Checks the definition without contacting a server (run on every reload): the .cf
     * file parses, every value Postfix would reject is valid, hosts and URIs are usable,
     * the SQL settings are valid, the {@code domain} list parses.
     */
    @Override
    public List<String> check(String name, OpenContext context) {
        try {
            PgsqlConfig cf = PgsqlConfig.load(name, context.parameters());
            encoding(cf, context.parameters());
            target(cf, context.parameters());
            SqlPools.check(context, "pgsql", name, cf.domain);
            return List.of();
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        }
    }

    /** The .cf file, plus its {@code domain} files and the SQL settings, so a reload re-opens on a change. */
    @Override
    public String fingerprint(String name, OpenContext context) {
        return SqlPools.fingerprint(name, context, (sb, legacy) -> {
            PgsqlConfig cf = PgsqlConfig.load(name, context.parameters());
            if (legacy) sb.append("|legacy:").append(cf.query).append(cf.hosts).append(cf.user).append(cf.dbname)
                    .append(cf.domain).append(cf.resultFormat).append(cf.encoding).append(SqlPools.digest(cf.password));
            return cf.domain;
        }).append('|').append(context.parameters().apply(Setting.PGSQL_DEFAULT_ENCODING.key())).toString();
    }

    static SqlPool.Target target(PgsqlConfig cf, Function<String, String> parameters) throws TableOpenException {
        SqlPools.Limits limits = SqlPools.limits(parameters, "pgsql", cf.name);
        // libpq's default user is the OS user of the client: mail_owner, as Postfix's proxymap runs
        java.util.Properties defaults = new java.util.Properties();
        String owner = parameters.apply("mail_owner");
        defaults.setProperty(PgsqlDriver.DEFAULT_USER, owner == null || owner.isBlank() ? "postfix" : owner.strip());
        return new SqlPool.Target(cf.hosts, cf.user, cf.password, cf.dbname, defaults, "", cf.retryInterval,
                cf.idleInterval, limits.poolMax(), limits.connect(), limits.query(), DEFAULT_SOCKET_DIRECTORY, PgsqlDriver.DEFAULT_PORT);
    }

    /** One pool per target: everything that changes how connections are made; passwords and URIs hashed. */
    static String poolKey(SqlPool.Target t) {
        StringBuilder uris = new StringBuilder();
        for (HostSpec h : t.hosts()) if (h.uri() != null) uris.append(h.uri()).append(' ');
        return "pgsql:" + t.describe() + " retry=" + t.retryInterval() + " idle=" + t.idleInterval() + " max=" + t.poolMax()
                + " connect=" + t.connectTimeout() + " query=" + t.queryTimeout() + " auth=" + SqlPools.digest(t.password())
                + " uris=" + SqlPools.digest(uris.toString()) + " default-user=" + t.driverProperties().getProperty(PgsqlDriver.DEFAULT_USER);
    }
}
