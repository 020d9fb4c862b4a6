package org.proxymap.management;

import java.nio.file.Path;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.config.Setting;

/**
 * The remote JMX settings from proxymap.cf.
 *
 * @param port 0 when remote JMX is off
 */
public record JmxSettings(int port, String address, Path passwordFile, Path accessFile) {

    public boolean enabled() { return port != 0; }

    public static JmxSettings from(ServiceConfig c) throws ConfigException {
        String portText = c.value(Setting.JMX_PORT.key());
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(c.where(Setting.JMX_PORT.key()) + ": " + Setting.JMX_PORT.key() + " = " + portText
                    + ": expected a TCP port from 1 to 65535, or 0 to keep remote JMX off");
        }
        String address = c.value(Setting.JMX_ADDRESS.key()).trim();
        if (address.isEmpty()) {
            throw new ConfigException(c.where(Setting.JMX_ADDRESS.key()) + ": " + Setting.JMX_ADDRESS.key()
                    + " must not be empty; use 127.0.0.1 (the default) for local access only");
        }
        return new JmxSettings(port, address, Path.of(c.value(Setting.JMX_PASSWORD_FILE.key()).trim()),
                Path.of(c.value(Setting.JMX_ACCESS_FILE.key()).trim()));
    }
}
