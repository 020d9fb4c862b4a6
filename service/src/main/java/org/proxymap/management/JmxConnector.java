package org.proxymap.management;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.security.auth.Subject;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ConfigException;
import org.proxymap.config.Setting;
import org.proxymap.jmx.ObjectNames;

/**
 * The remote JMX connector: an RMI registry and the RMI connector on one TCP port, bound
 * to one address (loopback by default), users from the password file, roles from the
 * access file (both read by {@link #create}), no remote class loading.
 */
public final class JmxConnector {
    private static final Logger log = LogManager.getLogger("proxymap");

    /** Listens on one address; a record, so equal factories let registry and connector share the port. */
    record BoundSocketFactory(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }

    private final JmxSettings settings;
    private final MBeanServer mbeans;
    private final Map<String, byte[]> passwordDigests;
    private final Map<String, UserFiles.Role> roles;
    private Registry registry;
    private JMXConnectorServer server;

    private JmxConnector(JmxSettings settings, MBeanServer mbeans, Map<String, byte[]> digests, Map<String, UserFiles.Role> roles) {
        this.settings = settings;
        this.mbeans = mbeans;
        this.passwordDigests = digests;
        this.roles = roles;
    }

    /** Reads the password and access files; binds nothing yet. */
    public static JmxConnector create(JmxSettings settings, MBeanServer mbeans) throws ConfigException {
        Map<String, byte[]> digests = new HashMap<>();
        UserFiles.passwords(settings.passwordFile(), Setting.JMX_PASSWORD_FILE.key()).forEach((u, p) -> digests.put(u, sha256(p)));
        Map<String, UserFiles.Role> roles = UserFiles.roles(settings.accessFile(), Setting.JMX_ACCESS_FILE.key());
        for (String user : digests.keySet()) {
            if (!roles.containsKey(user)) {
                log.warn("{}: user {} has a password but no role in {}, so it can do nothing", settings.passwordFile(), user,
                        settings.accessFile());
            }
        }
        try {
            InetAddress.getByName(settings.address());
        } catch (IOException e) {
            throw new ConfigException(Setting.JMX_ADDRESS.key() + " = " + settings.address() + ": not an address (" + e.getMessage() + ")");
        }
        return new JmxConnector(settings, mbeans, digests, roles);
    }

    /** Binds the port and starts serving. */
    public synchronized void start() throws IOException {
        InetAddress address = InetAddress.getByName(settings.address());
        // RMI stubs carry this host name back to clients; the default (the machine's name)
        // may resolve to an address the connector does not listen on
        if (System.getProperty("java.rmi.server.hostname") == null) {
            if (address.isAnyLocalAddress()) {
                log.warn("{} = {}: remote clients reach the connector through the name this host gives itself;"
                        + " if they cannot, start the JVM with -Djava.rmi.server.hostname=NAME", Setting.JMX_ADDRESS.key(),
                        settings.address());
            } else {
                System.setProperty("java.rmi.server.hostname", address.getHostAddress());
            }
        }
        var sockets = new BoundSocketFactory(address);
        int port = settings.port();
        registry = LocateRegistry.createRegistry(port, null, sockets);
        try {
            Map<String, Object> env = new HashMap<>();
            env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets);
            env.put(JMXConnectorServer.AUTHENTICATOR, (JMXAuthenticator) this::authenticate);
            // only a user name and password may be deserialized from an unauthenticated client
            env.put("jmx.remote.rmi.server.credential.types", new String[] {String[].class.getName(), String.class.getName()});
            env.put("jmx.remote.x.mlet.allow.getMBeansFromURL", "false");
            env.put("jmx.remote.x.daemon", "true");
            JMXServiceURL url = new JMXServiceURL(ObjectNames.serviceUrl(address.getHostAddress(), port));
            server = JMXConnectorServerFactory.newJMXConnectorServer(url, env, mbeans);
            server.setMBeanServerForwarder(AccessControl.forwarder(roles));
            server.start();
        } catch (IOException | RuntimeException e) {
            unexport();
            throw e;
        }
        log.info("remote JMX listening on {}:{} ({}); users from {}, roles from {}", address.getHostAddress(), port,
                ObjectNames.serviceUrl(address.getHostAddress(), port), settings.passwordFile(), settings.accessFile());
    }

    private Subject authenticate(Object credentials) {
        if (!(credentials instanceof String[] c) || c.length != 2 || c[0] == null || c[1] == null) {
            log.warn("remote JMX: connection without user name and password refused");
            throw new SecurityException("Authentication failed: user name and password required");
        }
        byte[] want = passwordDigests.get(c[0]);
        byte[] got = sha256(c[1].getBytes(StandardCharsets.UTF_8));
        // compare digests in constant time, also for unknown users
        boolean ok = MessageDigest.isEqual(want == null ? new byte[got.length] : want, got) && want != null;
        if (!ok) {
            log.warn("remote JMX: authentication failed for user {}", c[0]);
            throw new SecurityException("Authentication failed");
        }
        return new Subject(true, Set.of(new JMXPrincipal(c[0])), Set.of(), Set.of());
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized JMXServiceURL address() { return server == null ? null : server.getAddress(); }

    public synchronized void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                log.warn("remote JMX: stop: {}", e.getMessage());
            }
            server = null;
        }
        unexport();
    }

    private void unexport() {
        if (registry != null) {
            try {
                UnicastRemoteObject.unexportObject(registry, true);
            } catch (NoSuchObjectException e) {
                // already gone
            }
            registry = null;
        }
    }
}
