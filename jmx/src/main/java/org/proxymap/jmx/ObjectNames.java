package org.proxymap.jmx;

/**
 * The names under which the service registers its MXBeans (domain {@code org.proxymap}).
 * In JConsole they appear under the MBeans tab, folder {@code org.proxymap}.
 */
public final class ObjectNames {
    private ObjectNames() {}

    public static final String DOMAIN = "org.proxymap";
    /** {@link ServiceMXBean}: process and protocol counters. */
    public static final String SERVICE = DOMAIN + ":type=Service";
    /** {@link TablesMXBean}: every open table, and operator lookups. */
    public static final String TABLES = DOMAIN + ":type=Tables";
    /** {@link ReloadMXBean}: reload, check, and the last reload's outcome. */
    public static final String RELOAD = DOMAIN + ":type=Reload";
    /** {@link PoolsMXBean}: database connection pools. */
    public static final String POOLS = DOMAIN + ":type=Pools";

    /** The RMI connector URL of a connector server with registry and RMI on one port. */
    public static String serviceUrl(String host, int port) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return "service:jmx:rmi://" + h + ":" + port + "/jndi/rmi://" + h + ":" + port + "/jmxrmi";
    }
}
