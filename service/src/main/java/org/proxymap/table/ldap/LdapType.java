package org.proxymap.table.ldap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.Setting;
import org.proxymap.config.Values;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;
import org.proxymap.table.sql.ConnectionBudget;
import org.proxymap.table.sql.DomainList;

/**
 * {@code ldap:/path/file.cf}: Postfix's ldap_table(5), every parameter, with connections
 * pooled per directory target (Postfix's connection key) and shared by all tables and
 * clients; the pools count in {@code proxymap_sql_max_connections} with the SQL pools.
 * Read-only, as in Postfix.
 */
public final class LdapType implements TableType {
    private static final Logger log = LogManager.getLogger("proxymap");

    @Override
    public String name() { return "ldap"; }

    /** Nothing is read under the client's flags at open; folding is per request. */
    @Override
    public int openFlagsMask() { return 0; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) throw TableOpenException.readOnly("ldap", name);
        LdapConfig cf = LdapConfig.load(name, context.parameters());
        for (String w : cf.warnings) log.warn("dict_ldap_open: {}", w);
        if (!cf.tlsRandomFile.isEmpty() || !cf.tlsCipherSuite.isEmpty() || cf.debuglevel > 0 || (cf.version == 2)) {
            log.debug("ldap:{}: version 2, tls_random_file, tls_cipher_suite and debuglevel do not apply here (see README, ldap)", name);
        }
        LdapPool.Target target = target(cf, context.parameters());
        String budgetKey = ConnectionBudget.RESOURCE_KEY;
        int max = setting(context.parameters(), Setting.SQL_MAX_CONNECTIONS, name);
        ConnectionBudget budget = context.resources().acquire(budgetKey, () -> new ConnectionBudget(max));
        String poolKey = poolKey(target);
        LdapPool pool;
        try {
            pool = context.resources().acquire(poolKey, () -> new LdapPool(target, budget));
        } catch (RuntimeException e) {
            context.resources().release(budgetKey);
            throw e;
        }
        DomainList domain = null;
        try {
            if (!cf.domain.isEmpty()) domain = new DomainList(cf.domain, name, context);
            return new LdapTable(name, cf, pool, domain, () -> {
                context.resources().release(poolKey);
                context.resources().release(budgetKey);
            });
        } catch (TableOpenException | RuntimeException e) {
            context.resources().release(poolKey);
            context.resources().release(budgetKey);
            throw e;
        }
    }

    /** The definition without contacting a server: the .cf file, the TLS files, the domain list. */
    @Override
    public List<String> check(String name, OpenContext context) {
        try {
            LdapConfig cf = LdapConfig.load(name, context.parameters());
            target(cf, context.parameters());
            setting(context.parameters(), Setting.SQL_MAX_CONNECTIONS, name);
            if (!cf.domain.isEmpty()) new DomainList(cf.domain, name, context).close();
            return List.of();
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        }
    }

    /** The .cf file, the domain files and the pool settings. */
    @Override
    public String fingerprint(String name, OpenContext context) {
        StringBuilder sb = new StringBuilder(TableType.fileFingerprint(name));
        try {
            LdapConfig cf = LdapConfig.load(name, context.parameters());
            if (!name.startsWith("/") && !name.startsWith(".")) {
                sb.append("|legacy:").append(cf.servers).append(cf.searchBase).append(cf.queryFilter).append(cf.attributes)
                        .append(cf.bindDn).append(sha256(cf.bindPw)).append(cf.domain).append(cf.resultFormat);
            }
            for (String item : cf.domain.split("[,\\s]+")) {
                String f = item.replaceFirst("^!+", "");
                if (f.startsWith("/")) sb.append("|dom:").append(TableType.fileFingerprint(f));
            }
        } catch (TableOpenException e) {
            sb.append("|bad:").append(e.getMessage());
        }
        for (Setting s : new Setting[] {Setting.SQL_MAX_CONNECTIONS, Setting.SQL_POOL_MAX_CONNECTIONS, Setting.LDAP_SEARCHES_PER_CONNECTION}) {
            sb.append('|').append(context.parameters().apply(s.key()));
        }
        return sb.toString();
    }

    static LdapPool.Target target(LdapConfig cf, Function<String, String> parameters) throws TableOpenException {
        LdapTls tls = LdapTls.of(cf);
        if (cf.tls()) {
            try {
                tls.context();
            } catch (Exception e) {
                throw new TableOpenException(cf.name + ": TLS settings (tls_ca_cert_file, tls_ca_cert_dir, tls_cert, tls_key): "
                        + e.getMessage());
            }
        }
        int poolMax = setting(parameters, Setting.SQL_POOL_MAX_CONNECTIONS, cf.name);
        int perConnection = setting(parameters, Setting.LDAP_SEARCHES_PER_CONNECTION, cf.name);
        boolean simple = cf.bind != LdapConfig.BIND_NONE;
        boolean sasl = cf.bind == LdapConfig.BIND_SASL;
        return new LdapPool.Target(cf.servers, cf.bind, simple ? cf.bindDn : "", simple ? cf.bindPw : "",
                sasl ? cf.saslMechs : "", sasl ? cf.saslRealm : "", sasl ? cf.saslAuthzId : "", sasl ? cf.saslMinSsf : 0,
                cf.startTls, tls, cf.dereference, cf.chaseReferrals, cf.version, poolMax, perConnection);
    }

    private static int setting(Function<String, String> parameters, Setting s, String table) throws TableOpenException {
        String v = parameters.apply(s.key());
        if (v == null) v = s.defaultValue();
        try {
            return Values.integer(v, 1);
        } catch (IllegalArgumentException e) {
            throw new TableOpenException("ldap:" + table + ": " + s.key() + " = " + v + ": " + e.getMessage());
        }
    }

    /** One pool per connection key (Postfix's fields, the password hashed) and pool size. */
    static String poolKey(LdapPool.Target t) {
        return "ldap:" + t.describe() + " bind=" + t.bind() + " sasl=" + t.saslMechs() + "|" + t.saslRealm() + "|" + t.saslAuthzId()
                + "|" + t.saslMinSsf() + " starttls=" + t.startTls() + " tls=" + t.tls() + " deref=" + t.dereference()
                + " referrals=" + t.chaseReferrals() + " version=" + t.version() + " max=" + t.poolMax() + "x" + t.searchesPerConnection() + " auth=" + sha256(t.bindPw());
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
