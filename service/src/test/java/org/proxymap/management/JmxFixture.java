package org.proxymap.management;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.testing.TestServer;

/**
 * A real server with its MXBeans in a private MBean server and a real remote connector on
 * a free loopback port; users {@code admin} (readwrite) and {@code monitor} (readonly).
 */
final class JmxFixture implements AutoCloseable {
    static final String ADMIN_PASSWORD = "admin-secret";
    static final String MONITOR_PASSWORD = "monitor-secret";

    final TestServer ts;
    final Management management;
    static final String OPS_PASSWORD = "ops-secret";

    final MBeanServer mbeans;
    final int port;

    private JmxFixture(TestServer ts, int port, MBeanServer mbeans) throws Exception {
        this.ts = ts;
        this.port = port;
        this.mbeans = mbeans;
        this.management = Management.create(ts.server.state().config(), ts.server, ts.reloader, "test", mbeans);
        management.start();
    }

    /** {@code mainCf} as for {@link TestServer#newConfig}; adds proxymap.cf and the user files. */
    static JmxFixture start(String mainCf, Map<String, String> files) throws Exception {
        return start(mainCf, files, MBeanServerFactory.newMBeanServer());
    }

    /**
     * As {@link #start(String, Map)} on {@code mbeans} (the platform's, to reach the JVM's own
     * MBeans); a third user {@code ops} has the jvm-admin role.
     */
    static JmxFixture start(String mainCf, Map<String, String> files, MBeanServer mbeans) throws Exception {
        Path dir = TestServer.newConfig(mainCf);
        Path etc = dir.resolve("etc");
        for (var e : files.entrySet()) Files.writeString(etc.resolve(e.getKey()), e.getValue());
        int port = freePort();
        Files.writeString(etc.resolve("proxymap.cf"), "proxymap_jmx_port = " + port + "\n");
        writeSecret(etc.resolve("proxymap-jmx.password"), "# user password\nadmin " + ADMIN_PASSWORD + "\nmonitor "
                + MONITOR_PASSWORD + "\nops " + OPS_PASSWORD + "\n");
        Files.writeString(etc.resolve("proxymap-jmx.access"), "admin readwrite\nmonitor readonly\nops jvm-admin\n");
        return new JmxFixture(TestServer.start(dir), port, mbeans);
    }

    static void writeSecret(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    Path etc() { return ts.etc; }

    JMXConnector connect(String user, String password) throws IOException {
        var env = password == null ? Map.<String, Object>of() : Map.<String, Object>of(JMXConnector.CREDENTIALS, new String[] {user, password});
        return JMXConnectorFactory.connect(new JMXServiceURL(ObjectNames.serviceUrl("127.0.0.1", port)), env);
    }

    JMXConnector admin() throws IOException { return connect("admin", ADMIN_PASSWORD); }

    JMXConnector monitor() throws IOException { return connect("monitor", MONITOR_PASSWORD); }

    static <T> T proxy(JMXConnector c, String name, Class<T> type) throws Exception {
        return JMX.newMXBeanProxy(c.getMBeanServerConnection(), new ObjectName(name), type);
    }

    @Override
    public void close() {
        management.close();
        ts.close();
    }
}
