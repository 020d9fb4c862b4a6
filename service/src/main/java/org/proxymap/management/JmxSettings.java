package org.proxymap.management;

import java.nio.file.Path;
import org.proxymap.config.ServiceConfig;
import org.proxymap.config.Setting;

/**
 * The remote JMX settings from proxymap.cf (parsed and checked at load, see {@link Setting}).
 *
 * @param port 0 when remote JMX is off
 */
public record JmxSettings(int port, String address, Path passwordFile, Path accessFile) {

    public boolean enabled() { return port != 0; }

    public static JmxSettings from(ServiceConfig c) {
        return new JmxSettings(c.get(Setting.JMX_PORT), c.get(Setting.JMX_ADDRESS), c.get(Setting.JMX_PASSWORD_FILE),
                c.get(Setting.JMX_ACCESS_FILE));
    }
}
