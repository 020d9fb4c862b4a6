package org.proxymap.table.sql;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code mysql:/path/file.cf}: Postfix's mysql_table(5), every parameter, with connections
 * pooled per database target and shared by all tables and clients (see {@link SqlPool}).
 * Read-only, as in Postfix.
 */
public final class MysqlType implements TableType {

    @Override
    public String name() { return "mysql"; }

    /** Nothing is read under the client's flags at open; folding is per request. */
    @Override
    public int openFlagsMask() { return 0; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) throw new TableOpenException("mysql:" + name + " map requires O_RDONLY access mode");
        MysqlConfig cf = MysqlConfig.load(name, context.parameters());
        SqlPool.Target target = target(cf, context.parameters());
        SqlPools.Lease lease = SqlPools.acquire(context, target, MysqlDriver.INSTANCE, poolKey(target), name);
        DomainList domain = null;
        try {
            if (!cf.domain.isEmpty()) domain = new DomainList(cf.domain, name, context);
            return new MysqlTable(name, cf, lease.pool(), domain, lease.release());
        } catch (TableOpenException | RuntimeException e) {
            lease.release().run();
            throw e;
        }
    }

    /**
     * Checks the definition without contacting a server (run on every reload): the .cf file
     * parses, every value Postfix would reject is valid, hosts, TLS files and the SQL
     * settings are usable, the {@code domain} list parses.
     */
    @Override
    public List<String> check(String name, OpenContext context) {
        try {
            MysqlConfig cf = MysqlConfig.load(name, context.parameters());
            target(cf, context.parameters());
            SqlPools.check(context, "mysql", name, cf.domain);
            return List.of();
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        }
    }

    /**
     * The .cf file, plus what it refers to: the option file, {@code domain} files and the
     * SQL settings, so a reload re-opens the table when any of them changed.
     */
    @Override
    public String fingerprint(String name, OpenContext context) {
        return SqlPools.fingerprint(name, context, (sb, legacy) -> {
            MysqlConfig cf = MysqlConfig.load(name, context.parameters());
            if (legacy) sb.append("|legacy:").append(cf.query).append(cf.hosts).append(cf.user).append(cf.dbname)
                    .append(cf.domain).append(cf.resultFormat);
            if (cf.optionFile != null) sb.append("|opt:").append(TableType.fileFingerprint(cf.optionFile));
            return cf.domain;
        }).toString();
    }

    static SqlPool.Target target(MysqlConfig cf, Function<String, String> parameters) throws TableOpenException {
        Map<String, String> opt = OptionFile.read(cf.optionFile, cf.optionGroup);
        List<HostSpec> hosts = new ArrayList<>();
        for (String h : cf.hosts) {
            try {
                hosts.add(HostSpec.parse(h));
            } catch (IllegalArgumentException e) {
                throw new TableOpenException(cf.name + ": hosts: " + e.getMessage());
            }
        }
        Properties driver;
        try {
            driver = TlsOptions.driverProperties(cf, opt);
        } catch (IOException | GeneralSecurityException e) {
            throw new TableOpenException(cf.name + ": TLS settings: " + e.getMessage());
        }
        String user = !cf.user.isEmpty() ? cf.user : opt.getOrDefault("user", "");
        String password = !cf.password.isEmpty() ? cf.password : opt.getOrDefault("password", "");
        String socket = opt.getOrDefault("socket", "/run/mysqld/mysqld.sock");
        int port = 3306;
        if (opt.containsKey("port")) {
            try {
                port = Integer.parseInt(opt.get("port"));
            } catch (NumberFormatException e) {
                throw new TableOpenException(cf.name + ": option file: bad port = " + opt.get("port"));
            }
        }
        SqlPools.Limits limits = SqlPools.limits(parameters, "mysql", cf.name);
        // what makes TLS differ, without the generated key store and its password
        String tls = driver.getProperty("sslMode") + "|" + cf.tlsCAfile + "|" + cf.tlsCApath + "|" + cf.tlsCertFile + "|"
                + cf.tlsKeyFile + "|" + cf.tlsCiphers + "|" + opt.entrySet().stream().filter(e -> e.getKey().startsWith("ssl"))
                .sorted(Map.Entry.comparingByKey()).toList();
        return new SqlPool.Target(List.copyOf(hosts), user, password, cf.dbname, driver, tls, cf.retryInterval,
                cf.idleInterval, limits.poolMax(), limits.connect(), limits.query(), socket, port);
    }

    /** One pool per target: everything that changes how connections are made, password hashed. */
    static String poolKey(SqlPool.Target t) {
        return "mysql:" + t.describe() + " tls=" + t.tlsIdentity() + " retry=" + t.retryInterval() + " idle=" + t.idleInterval()
                + " max=" + t.poolMax() + " connect=" + t.connectTimeout() + " query=" + t.queryTimeout()
                + " socket=" + t.defaultSocket() + " port=" + t.defaultPort() + " auth=" + SqlPools.digest(t.password());
    }
}
