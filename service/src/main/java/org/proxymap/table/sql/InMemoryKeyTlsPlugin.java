package org.proxymap.table.sql;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManager;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.export.ExceptionFactory;
import org.mariadb.jdbc.plugin.tls.main.DefaultTlsSocketPlugin;

/**
 * The MariaDB driver's own TLS (trust, host name checks) with the client key taken from
 * memory: {@code tls_key_file} is read once and never written anywhere (no key store file in
 * /tmp). Selected by {@code tlsSocketType=proxymap-memory-key}; {@code keyStore} then names an
 * entry of {@link #KEYS}, not a file.
 */
public final class InMemoryKeyTlsPlugin extends DefaultTlsSocketPlugin {
    static final String TYPE = "proxymap-memory-key";
    static final String PREFIX = "proxymap-memory-key:";
    /** key id (a digest of the certificate and key files) to the key managers made from them */
    private static final Map<String, KeyManager[]> KEYS = new ConcurrentHashMap<>();

    static String register(String id, KeyManager[] managers) {
        KEYS.put(id, managers);
        return PREFIX + id;
    }

    @Override
    public String type() { return TYPE; }

    @Override
    public KeyManager[] getKeyManager(Configuration conf, ExceptionFactory exceptionFactory) throws SQLException {
        String ks = conf.keyStore();
        if (ks == null || !ks.startsWith(PREFIX)) return super.getKeyManager(conf, exceptionFactory);
        KeyManager[] km = KEYS.get(ks.substring(PREFIX.length()));
        if (km == null) throw new SQLException("TLS client key " + ks + " is no longer loaded; reopen the table");
        return km;
    }
}
