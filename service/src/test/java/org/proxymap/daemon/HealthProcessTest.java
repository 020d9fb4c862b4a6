package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.ctl.ProxymapCtl;
import org.proxymap.testing.WireClient;

/**
 * The daemon as operators run it (scripts/proxymap, its own process), watched as monitoring
 * watches it: a table's MBean over the remote connector, and {@code proxymapctl health}
 * through a stall (SIGSTOP) and a refused reload (SIGUSR2 with a broken main.cf).
 */
class HealthProcessTest {
    private static final Duration START = Duration.ofSeconds(60);

    private record Run(int status, String out) {}

    private static Run health(int port, Path pw) {
        var out = new ByteArrayOutputStream();
        int status = ProxymapCtl.run(new String[] {"--jmx", "127.0.0.1:" + port, "--user", "monitor", "--password-file", pw.toString(),
                "health"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        return new Run(status, out.toString(StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void healthSeesAStallAndARefusedReloadOfARealDaemon() throws Exception {
        try (DaemonProcess d = DaemonProcess.prepare("proxy_read_maps = proxy:inline:{k=v}\n", null)) {
            int port = freePort();
            Files.writeString(d.etc.resolve("proxymap.cf"), "proxymap_jmx_port = " + port + "\n");
            Path users = d.etc.resolve("proxymap-jmx.password");
            Files.writeString(users, "monitor m0nitor\n");
            Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(d.etc.resolve("proxymap-jmx.access"), "monitor readonly\n");
            d.start(null);
            d.awaitLog("configuration generation 1 in force", START);
            try (WireClient c = WireClient.connect(d.socket("proxymap"))) {
                c.call("request", "lookup", "table", "inline:{k=v}", "flags", "0", "key", "k");
            }
            try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(ObjectNames.serviceUrl("127.0.0.1", port)),
                    Map.of(JMXConnector.CREDENTIALS, new String[] {"monitor", "m0nitor"}))) {
                ObjectName table = new ObjectName(ObjectNames.table("inline:{k=v}", false, 0));
                assertEquals(1L, c.getMBeanServerConnection().getAttribute(table, "Hits"));
                assertEquals(1L, c.getMBeanServerConnection().getAttribute(table, "RecentOperations"));
            }
            Run ok = health(port, users);
            assertEquals(0, ok.status(), ok.out());
            assertTrue(ok.out().startsWith("PROXYMAP OK - serving | tables=1 "), ok.out());

            d.signal("STOP");
            Thread.sleep(1500);
            d.signal("CONT");
            d.awaitLog("the service did not run for \\d+ ms", START);
            Run stalled = health(port, users);
            assertEquals(2, stalled.status(), stalled.out());
            assertTrue(stalled.out().startsWith("PROXYMAP CRITICAL - the service stalled for a second or more ")
                    && stalled.out().contains(" stalls=1c "), stalled.out());

            Files.writeString(d.etc.resolve("main.cf"), "\nno equals sign here\n", java.nio.file.StandardOpenOption.APPEND);
            d.signal("USR2");
            d.awaitLog("reload refused", START);
            Run refused = health(port, users);
            for (int i = 0; i < 50 && refused.status() == 0; i++) { // the log line comes a moment before the outcome is kept
                Thread.sleep(100);
                refused = health(port, users);
            }
            assertEquals(2, refused.status(), refused.out());
            assertTrue(refused.out().contains("last reload refused: ") && refused.out().contains("main.cf"), refused.out());
            d.signal("TERM");
            d.awaitExit(Duration.ofSeconds(30));
        }
    }
}
