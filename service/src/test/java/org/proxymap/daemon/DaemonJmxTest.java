package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.Test;
import org.proxymap.config.ConfigException;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.ReloadMXBean;
import org.proxymap.testing.TestServer;

/** The daemon lifecycle creates, starts and removes the MXBeans and the connector. */
class DaemonJmxTest {
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Path config(String proxymapCf) throws IOException {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:static:ok");
        Files.writeString(dir.resolve("etc/proxymap.cf"), proxymapCf);
        Files.writeString(dir.resolve("etc/proxymap-jmx.password"), "admin pw1\n");
        Files.setPosixFilePermissions(dir.resolve("etc/proxymap-jmx.password"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("etc/proxymap-jmx.access"), "admin readwrite\n");
        return dir.resolve("etc");
    }

    @Test
    void initStartDestroyManageTheConnectorAndTheMXBeans() throws Exception {
        int port = freePort();
        Path etc = config("proxymap_jmx_port = " + port + "\n");
        ProxymapDaemon d = new ProxymapDaemon();
        d.init(new String[] {"-c", etc.toString()});
        try {
            assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(ObjectNames.RELOAD)));
            d.start();
            var url = d.management().address();
            try (JMXConnector c = JMXConnectorFactory.connect(url, Map.of(JMXConnector.CREDENTIALS, new String[] {"admin", "pw1"}))) {
                ReloadMXBean r = JMX.newMXBeanProxy(c.getMBeanServerConnection(), new ObjectName(ObjectNames.RELOAD), ReloadMXBean.class);
                assertEquals(2, r.reload().generation());
            }
        } finally {
            d.stop();
            d.destroy();
        }
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(ObjectNames.RELOAD)));
        assertTrue(portClosesWithin(port, 10_000), "remote JMX port " + port + " still open after destroy()");
    }

    /** RMI closes its listening socket asynchronously once the last object is unexported. */
    private static boolean portClosesWithin(int port, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
            } catch (IOException closed) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void portZeroKeepsRemoteJmxOffButTheMXBeansLocal() throws Exception {
        ProxymapDaemon d = new ProxymapDaemon();
        d.init(new String[] {"-c", config("").toString()});
        try {
            d.start();
            assertNull(d.management().address());
            assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(ObjectNames.TABLES)));
        } finally {
            d.stop();
            d.destroy();
        }
    }

    @Test
    void aSecondDaemonInTheSameJvmTakesOverTheNames() throws Exception {
        ProxymapDaemon first = new ProxymapDaemon();
        first.init(new String[] {"-c", config("").toString()});
        ProxymapDaemon second = new ProxymapDaemon();
        try {
            second.init(new String[] {"-c", config("").toString()});
            first.destroy();
            assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(ObjectNames.SERVICE)),
                    "closing the older daemon leaves the newer one's MXBeans");
        } finally {
            first.destroy();
            second.destroy();
        }
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(ObjectNames.SERVICE)));
    }

    @Test
    void aReadablePasswordFileOrABadPortStopsInitWithTheFix() throws Exception {
        Path etc = config("proxymap_jmx_port = " + freePort() + "\n");
        Files.setPosixFilePermissions(etc.resolve("proxymap-jmx.password"), PosixFilePermissions.fromString("rw-r--r--"));
        ConfigException e = assertThrows(ConfigException.class, () -> new ProxymapDaemon().init(new String[] {"-c", etc.toString()}));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertFalse(Files.exists(etc.resolveSibling("queue/private/proxymap")), "sockets removed again");

        Path bad = config("proxymap_jmx_port = 99999\n");
        e = assertThrows(ConfigException.class, () -> new ProxymapDaemon().init(new String[] {"-c", bad.toString()}));
        assertTrue(e.getMessage().contains("proxymap.cf, line 1") && e.getMessage().contains("0 to keep remote JMX off"), e.getMessage());

        Path missing = config("proxymap_jmx_port = 9\nproxymap_jmx_access_file = /nonexistent/access\n");
        e = assertThrows(ConfigException.class, () -> new ProxymapDaemon().init(new String[] {"-c", missing.toString()}));
        assertTrue(e.getMessage().contains("/nonexistent/access: No such file"), e.getMessage());
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(ObjectNames.TABLES)));
    }
}
