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

    /** Every {@link TableMXBean}, for queryNames. */
    public static final String TABLE_PATTERN = DOMAIN + ":type=Table,*";
    /** Every {@link PoolMXBean}, for queryNames. */
    public static final String POOL_PATTERN = DOMAIN + ":type=Pool,*";

    /**
     * The name of one table instance: {@code org.proxymap:type=Table,name="mysql:/etc/postfix/x.cf"},
     * with {@code mode=rw} for a proxywrite instance and {@code flags=N} when the instance
     * flags select a separate instance (see {@link TableInfo}), so every instance has a name.
     */
    public static String table(String name, boolean writable, int instanceFlags) {
        return DOMAIN + ":type=Table,name=" + javax.management.ObjectName.quote(name) + (writable ? ",mode=rw" : "")
                + (instanceFlags != 0 ? ",flags=" + instanceFlags : "");
    }

    /** The name of one pool: {@code org.proxymap:type=Pool,name="mysql:user@host/db"}. */
    public static String pool(String name) {
        return DOMAIN + ":type=Pool,name=" + javax.management.ObjectName.quote(name);
    }

    /** The RMI connector URL of a connector server with registry and RMI on one port. */
    public static String serviceUrl(String host, int port) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return "service:jmx:rmi://" + h + ":" + port + "/jndi/rmi://" + h + ":" + port + "/jmxrmi";
    }
}
