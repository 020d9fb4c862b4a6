package org.proxymap.management;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.config.Setting;

/**
 * The remote JMX settings from proxymap.cf (parsed and checked at load, see {@link Setting}).
 *
 * @param port 0 when remote JMX is off
 * @param tlsKeystore null: no TLS
 * @param tlsClientTruststore null: no client certificates asked for
 */
public record JmxSettings(int port, String address, Path passwordFile, Path accessFile, Path tlsKeystore,
                          Path tlsKeystorePasswordFile, Path tlsClientTruststore) {

    public boolean enabled() { return port != 0; }

    public boolean tls() { return tlsKeystore != null; }

    public static JmxSettings from(ServiceConfig c) throws ConfigException {
        int port = c.get(Setting.JMX_PORT); // parsed and range-checked at load
        String address = c.get(Setting.JMX_ADDRESS);
        Path keystore = path(c, Setting.JMX_TLS_KEYSTORE);
        Path keystorePassword = path(c, Setting.JMX_TLS_KEYSTORE_PASSWORD_FILE);
        if (keystore != null && keystorePassword == null) {
            throw new ConfigException(c.where(Setting.JMX_TLS_KEYSTORE.key()) + ": " + Setting.JMX_TLS_KEYSTORE.key()
                    + " needs " + Setting.JMX_TLS_KEYSTORE_PASSWORD_FILE.key() + " (a 0600 file with the key store's password)");
        }
        if (port != 0 && keystore == null && !loopback(address)) {
            throw new ConfigException(c.where(Setting.JMX_ADDRESS.key()) + ": " + Setting.JMX_ADDRESS.key() + " = " + address
                    + " is not a loopback address, and without TLS remote JMX sends passwords in clear: set "
                    + Setting.JMX_TLS_KEYSTORE.key() + " and " + Setting.JMX_TLS_KEYSTORE_PASSWORD_FILE.key()
                    + ", or keep 127.0.0.1 and tunnel (ssh -L " + port + ":127.0.0.1:" + port + ")");
        }
        return new JmxSettings(port, address, c.get(Setting.JMX_PASSWORD_FILE), c.get(Setting.JMX_ACCESS_FILE), keystore,
                keystorePassword,
                path(c, Setting.JMX_TLS_CLIENT_TRUSTSTORE));
    }

    private static Path path(ServiceConfig c, Setting s) throws ConfigException {
        String v = c.value(s.key());
        return v == null || v.isBlank() ? null : Path.of(v.trim());
    }

    /** A loopback address or a name that resolves only to loopback addresses; unresolvable: not loopback. */
    static boolean loopback(String address) {
        try {
            for (InetAddress a : InetAddress.getAllByName(address)) if (!a.isLoopbackAddress()) return false;
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
