package org.proxymap.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.rmi.AccessException;
import java.rmi.Remote;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.relation.MBeanServerNotificationFilter;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.proxymap.config.ConfigException;
import org.proxymap.jmx.CheckReport;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.ReloadMXBean;
import org.proxymap.table.sql.LogCapture;
import org.proxymap.testing.TestServer;

/**
 * Each hardening of the remote JMX connector, proved by performing the attack against a real
 * connector on a loopback port: registry hijack, oversized credentials, a gadget class after
 * login, a readwrite user operating the JVM, concurrent checks, files others could change,
 * hashed passwords as the JDK writes them, failed logins for fail2ban, a squatted port.
 */
class JmxAttackTest {
    private static final String TABLE_CF = "proxy_read_maps = proxy:inline:{k=v}";

    /** A remote object an attacker would bind in place of the connector, to collect passwords. */
    interface Fake extends Remote {}

    @Test
    void theRegistryRefusesRebindBindAndUnbindFromAnyone() throws Exception {
        try (JmxFixture f = JmxFixture.start(TABLE_CF, Map.of())) {
            Registry r = LocateRegistry.getRegistry("127.0.0.1", f.port);
            Fake fake = new Fake() {};
            Remote stub = UnicastRemoteObject.exportObject(fake, 0);
            try {
                Exception rebind = assertThrows(Exception.class, () -> r.rebind("jmxrmi", stub));
                assertTrue(rebind instanceof AccessException || String.valueOf(rebind.getCause()).contains("REJECTED"), rebind.toString());
                assertThrows(Exception.class, () -> r.bind("other", stub));
                Exception unbind = assertThrows(Exception.class, () -> r.unbind("jmxrmi"));
                assertTrue(chain(unbind).contains("AccessException: Cannot unbind: the proxymap JMX registry is read-only"), chain(unbind));
            } finally {
                UnicastRemoteObject.unexportObject(fake, true);
            }
            assertEquals(List.of("jmxrmi"), List.of(r.list()));
            try (JMXConnector c = f.admin()) { // still the real connector
                assertEquals(1L, JmxFixture.proxy(c, ObjectNames.RELOAD, ReloadMXBean.class).getGeneration());
            }
        }
    }

    @Test
    void credentialsOtherThanTwoShortStringsAreRejectedBeforeTheyAreRead() throws Exception {
        try (JmxFixture f = JmxFixture.start(TABLE_CF, Map.of())) {
            JMXServiceURL url = new JMXServiceURL(ObjectNames.serviceUrl("127.0.0.1", f.port));
            for (Object credentials : List.of(new String[1_000_000], new String[] {"admin", JmxFixture.ADMIN_PASSWORD, "x"},
                    new HashMap<>(Map.of("admin", JmxFixture.ADMIN_PASSWORD)), new String[] {"admin", "x".repeat(10_000)})) {
                Exception e = assertThrows(Exception.class,
                        () -> JMXConnectorFactory.connect(url, Map.of(JMXConnector.CREDENTIALS, credentials)).close());
                // refused in the filter (the server may close the connection while a big array is still being sent)
                assertTrue(e instanceof SecurityException || chain(e).contains("REJECTED") || chain(e).contains("Broken pipe")
                        || chain(e).contains("Connection reset"), chain(e));
            }
            try (JMXConnector c = f.admin()) {
                assertNotNull(c.getConnectionId());
            }
        }
    }

    @Test
    void aClassOutsideWhatJmxClientsSendIsRejectedAfterLogin() throws Exception {
        try (JmxFixture f = JmxFixture.start(TABLE_CF, Map.of()); JMXConnector c = f.admin()) {
            MBeanServerConnection mbsc = c.getMBeanServerConnection();
            ObjectName tables = new ObjectName(ObjectNames.TABLES);
            String[] sig = {String.class.getName(), String.class.getName()};
            Exception e = assertThrows(Exception.class,
                    () -> mbsc.invoke(tables, "lookup", new Object[] {URI.create("http://gadget.invalid/").toURL(), "k"}, sig));
            assertTrue(chain(e).contains("REJECTED"), chain(e));
            // the same call with the types a client sends works
            Object ok = mbsc.invoke(tables, "lookup", new Object[] {"inline:{k=v}", "k"}, sig);
            assertTrue(String.valueOf(ok).contains("v"), String.valueOf(ok));
        }
    }

    /**
     * What JConsole does on connecting, on the platform MBean server: every MBean's info and
     * readable attributes, a registration listener with a filter, and attribute writes (the
     * JVM's need jvm-admin).
     */
    @Test
    void aJconsoleStyleSessionPassesTheFiltersAndTheJvmNeedsJvmAdmin() throws Exception {
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        try (JmxFixture f = JmxFixture.start(TABLE_CF, Map.of(), platform)) {
            try (JMXConnector c = f.monitor()) {
                MBeanServerConnection mbsc = c.getMBeanServerConnection();
                int read = 0;
                for (ObjectName n : mbsc.queryNames(null, null)) {
                    List<String> names = new ArrayList<>();
                    for (MBeanAttributeInfo a : mbsc.getMBeanInfo(n).getAttributes()) if (a.isReadable()) names.add(a.getName());
                    read += mbsc.getAttributes(n, names.toArray(String[]::new)).size();
                }
                assertTrue(read > 50, read + " attributes read");
                MBeanServerNotificationFilter filter = new MBeanServerNotificationFilter();
                filter.enableAllObjectNames();
                mbsc.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, (n, h) -> { }, filter, null);
                assertTrue(mbsc.queryNames(new ObjectName("java.lang:type=*"), null).size() > 3);
            }
            ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
            ObjectName hotspot = new ObjectName("com.sun.management:type=HotSpotDiagnostic");
            ObjectName memory = new ObjectName("java.lang:type=Memory");
            try (JMXConnector c = f.admin()) {
                MBeanServerConnection mbsc = c.getMBeanServerConnection();
                SecurityException load = assertThrows(SecurityException.class, () -> mbsc.invoke(dcmd, "jvmtiAgentLoad",
                        new Object[] {new String[] {"/tmp/evil.so"}}, new String[] {String[].class.getName()}));
                assertTrue(load.getMessage().contains("jvm-admin"), load.getMessage());
                assertThrows(SecurityException.class, () -> mbsc.invoke(hotspot, "dumpHeap",
                        new Object[] {"/tmp/heap.hprof", true}, new String[] {String.class.getName(), "boolean"}));
                assertThrows(SecurityException.class, () -> mbsc.setAttribute(memory, new Attribute("Verbose", false)));
                assertFalse(Files.exists(Path.of("/tmp/heap.hprof")));
                // its own MBeans: readwrite as before
                assertTrue(JmxFixture.proxy(c, ObjectNames.RELOAD, ReloadMXBean.class).reload().ok());
            }
            try (JMXConnector c = f.connect("ops", JmxFixture.OPS_PASSWORD)) {
                MBeanServerConnection mbsc = c.getMBeanServerConnection();
                Object version = mbsc.invoke(dcmd, "vmVersion", new Object[] {null}, new String[] {String[].class.getName()});
                assertTrue(String.valueOf(version).contains("JDK") || String.valueOf(version).contains("VM"), String.valueOf(version));
                mbsc.setAttribute(memory, new Attribute("Verbose", false));
            }
        }
    }

    @Test
    void readonlyUsersRunOneCheckAtATime() throws Exception {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 300_000; i++) big.append("key").append(i).append("@example.com value").append(i).append('\n');
        try (JmxFixture f = JmxFixture.start("proxy_read_maps = proxy:texthash:${config_directory}/big", Map.of("big", big.toString()))) {
            int n = 6;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            List<JMXConnector> clients = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) clients.add(f.monitor());
                CountDownLatch go = new CountDownLatch(1);
                List<Future<CheckReport>> reports = new ArrayList<>();
                for (JMXConnector c : clients) {
                    ReloadMXBean reload = JmxFixture.proxy(c, ObjectNames.RELOAD, ReloadMXBean.class);
                    reports.add(pool.submit(() -> {
                        go.await();
                        return reload.check();
                    }));
                }
                go.countDown();
                int ok = 0, busy = 0;
                for (Future<CheckReport> r : reports) {
                    CheckReport report = r.get();
                    if (report.ok()) ok++;
                    else if (report.problems().equals(List.of("a check is already running; try again when it has finished"))) busy++;
                    else throw new AssertionError(report.problems().toString());
                }
                assertTrue(ok >= 1 && busy >= 1 && ok + busy == n, ok + " checks ran, " + busy + " were refused as busy");
            } finally {
                pool.shutdownNow();
                for (JMXConnector c : clients) c.close();
            }
        }
    }

    @Test
    void passwordAndAccessFilesOthersCouldChangeAreRefusedWithTheFix() throws Exception {
        try (JmxFixture f = JmxFixture.start(TABLE_CF, Map.of())) {
            Path pw = f.etc().resolve("proxymap-jmx.password"), access = f.etc().resolve("proxymap-jmx.access");
            Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertRefused(f, "chmod 600 " + pw);
            Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(access, PosixFilePermissions.fromString("rw-rw-r--"));
            assertRefused(f, "chmod 644 " + access);
            Files.setPosixFilePermissions(access, PosixFilePermissions.fromString("rw-r--r--"));
            Path real = f.etc().resolve("real.password");
            Files.move(pw, real);
            Files.createSymbolicLink(pw, real);
            assertRefused(f, "symbolic link");
            Files.delete(pw);
            Files.move(real, pw);
            if ("root".equals(System.getProperty("user.name"))) {
                Files.setOwner(pw, pw.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
                assertRefused(f, "chown root " + pw);
            }
        }
    }

    private static void assertRefused(JmxFixture f, String fix) {
        ConfigException e = assertThrows(ConfigException.class, () -> Management.create(f.ts.server.state().config(),
                f.ts.server, f.ts.reloader, "test", MBeanServerFactory.newMBeanServer()));
        assertTrue(e.getMessage().contains(fix), e.getMessage());
    }

    /** The JDK hashes a password file itself (jmx.remote.x.password.toHashes); its lines work here too. */
    @Test
    void passwordsHashedByTheJdkAuthenticate() throws Exception {
        Path dir = Files.createTempDirectory("jdkhash");
        Path jdkFile = dir.resolve("pw");
        JmxFixture.writeSecret(jdkFile, "admin " + JmxFixture.ADMIN_PASSWORD + "\n");
        Map<String, Object> env = Map.of("jmx.remote.x.password.file", jdkFile.toString(), "jmx.remote.x.password.toHashes", "true");
        JMXConnectorServer jdk = JMXConnectorServerFactory.newJMXConnectorServer(new JMXServiceURL("rmi", "127.0.0.1", 0), env,
                MBeanServerFactory.newMBeanServer());
        jdk.start();
        try {
            JMXConnectorFactory.connect(jdk.getAddress(),
                    Map.of(JMXConnector.CREDENTIALS, new String[] {"admin", JmxFixture.ADMIN_PASSWORD})).close();
        } finally {
            jdk.stop();
        }
        String hashed = Files.readAllLines(jdkFile).stream().filter(l -> l.startsWith("admin ")).findFirst().orElseThrow();
        assertEquals(4, hashed.split("\\s+").length, hashed);
        assertFalse(hashed.contains(JmxFixture.ADMIN_PASSWORD));
        try (JmxFixture f = JmxFixture.start(TABLE_CF, Map.of())) {
            JmxFixture.writeSecret(f.etc().resolve("proxymap-jmx.password"), Files.readString(jdkFile));
            f.management.close();
            try (Management m = Management.create(f.ts.server.state().config(), f.ts.server, f.ts.reloader, "test",
                    MBeanServerFactory.newMBeanServer())) {
                m.start();
                try (JMXConnector c = f.admin()) {
                    assertEquals(1L, JmxFixture.proxy(c, ObjectNames.RELOAD, ReloadMXBean.class).getGeneration());
                }
                assertThrows(SecurityException.class, () -> f.connect("admin", "wrong"));
            }
        }
    }

    @Test
    void failedLoginsAreLoggedWithTheClientAddressForFail2ban() throws Exception {
        try (JmxFixture f = JmxFixture.start(TABLE_CF, Map.of()); LogCapture log = new LogCapture()) {
            assertThrows(SecurityException.class, () -> f.connect("admin", "wrong"));
            Thread.sleep(1100); // one line per client address and second
            assertThrows(SecurityException.class, () -> f.connect("x\"\n" + "y".repeat(200), "wrong"));
            String all = log.all();
            assertTrue(all.contains("remote JMX: authentication failed for user \"admin\" from 127.0.0.1"), all);
            // a hostile user name is bounded and cannot forge a second line or close the quotes
            assertTrue(all.contains("for user \"x??" + "y".repeat(61) + "...\" from 127.0.0.1"), all);
        }
    }

    @Test
    void aJmxPortThatIsTakenFailsTheStart() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = squatter.getLocalPort();
            Path dir = TestServer.newConfig(TABLE_CF);
            Path etc = dir.resolve("etc");
            Files.writeString(etc.resolve("proxymap.cf"), "proxymap_jmx_port = " + port + "\n");
            JmxFixture.writeSecret(etc.resolve("proxymap-jmx.password"), "admin " + JmxFixture.ADMIN_PASSWORD + "\n");
            Files.writeString(etc.resolve("proxymap-jmx.access"), "admin readwrite\n");
            try (TestServer ts = TestServer.start(dir);
                 Management m = Management.create(ts.server.state().config(), ts.server, ts.reloader, "test",
                         MBeanServerFactory.newMBeanServer())) {
                IOException e = assertThrows(IOException.class, m::start);
                assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("proxymap_jmx_port"),
                        e.getMessage());
            }
        }
    }

    @Test
    void aNonLoopbackAddressWithoutTlsIsRefused() throws Exception {
        Path dir = TestServer.newConfig(TABLE_CF);
        Files.writeString(dir.resolve("etc/proxymap.cf"), "proxymap_jmx_port = 9875\nproxymap_jmx_address = 0.0.0.0\n");
        try (TestServer ts = TestServer.start(dir)) {
            ConfigException e = assertThrows(ConfigException.class, () -> JmxSettings.from(ts.server.state().config()));
            assertTrue(e.getMessage().contains("proxymap.cf, line 2") && e.getMessage().contains("not a loopback address")
                    && e.getMessage().contains("proxymap_jmx_tls_keystore"), e.getMessage());
        }
    }

    /** With TLS: proxymapctl (as an operator runs it, in a JVM of its own) connects with the trust store, not without. */
    @Test
    void withTlsProxymapctlConnectsWithTheTrustStoreOnly() throws Exception {
        Path dir = TestServer.newConfig(TABLE_CF);
        Path etc = dir.resolve("etc");
        Path keystore = etc.resolve("jmx.p12"), cert = etc.resolve("jmx.pem");
        keytool("-genkeypair", "-alias", "jmx", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "store-secret");
        keytool("-exportcert", "-rfc", "-alias", "jmx", "-keystore", keystore.toString(), "-storepass", "store-secret",
                "-file", cert.toString());
        Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-------"));
        JmxFixture.writeSecret(etc.resolve("jmx.p12.password"), "store-secret\n");
        int port = JmxFixture.freePort();
        Files.writeString(etc.resolve("proxymap.cf"), "proxymap_jmx_port = " + port + "\nproxymap_jmx_tls_keystore = " + keystore
                + "\nproxymap_jmx_tls_keystore_password_file = " + keystore + ".password\n");
        JmxFixture.writeSecret(etc.resolve("proxymap-jmx.password"), "admin " + JmxFixture.ADMIN_PASSWORD + "\n");
        Files.writeString(etc.resolve("proxymap-jmx.access"), "admin readwrite\n");
        Path pw = etc.resolve("admin.pw");
        JmxFixture.writeSecret(pw, JmxFixture.ADMIN_PASSWORD + "\n");
        try (TestServer ts = TestServer.start(dir);
             Management m = Management.create(ts.server.state().config(), ts.server, ts.reloader, "test",
                     MBeanServerFactory.newMBeanServer())) {
            m.start();
            String jmx = "127.0.0.1:" + port;
            Ctl ok = ctl("--jmx", jmx, "--truststore", cert.toString(), "--password-file", pw.toString(), "stats");
            assertEquals(0, ok.status, ok.output);
            assertTrue(ok.output.contains("Version: test"), ok.output);
            Ctl plain = ctl("--jmx", jmx, "--password-file", pw.toString(), "stats");
            assertEquals(3, plain.status, plain.output);
            Ctl untrusted = ctl("--jmx", jmx, "--tls", "--password-file", pw.toString(), "stats");
            assertEquals(3, untrusted.status, untrusted.output);
        }
    }

    private record Ctl(int status, String output) {}

    private static Ctl ctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "org.proxymap.jmx.ctl.ProxymapCtl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        return new Ctl(p.exitValue(), out);
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + cmd + ": " + out);
    }

    private static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) b.append(t).append(" <- ");
        return b.toString();
    }
}
