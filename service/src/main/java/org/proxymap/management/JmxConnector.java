package org.proxymap.management;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.rmi.ssl.SslRMIClientSocketFactory;
import java.rmi.server.RemoteServer;
import java.rmi.server.ServerNotActiveException;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.security.auth.Subject;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ConfigException;
import org.proxymap.config.Setting;
import org.proxymap.jmx.ObjectNames;

/**
 * The remote JMX connector: a read-only RMI registry and the RMI connector on one TCP port,
 * bound to one address (loopback by default), users from the password file, roles from the
 * access file (both read by {@link #create}), no remote class loading, and serial filters
 * before and after authentication.
 */
public final class JmxConnector {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final String REGISTRY_NAME = "jmxrmi";
    private static final String CREDENTIALS_FILTER_ATTRIBUTE = "jmx.remote.rmi.server.credentials.filter.pattern";
    private static final String SERIAL_FILTER_ATTRIBUTE = "jmx.remote.rmi.server.serial.filter.pattern";
    /**
     * Before authentication: a String[] of user name and password, and nothing else; bounds
     * are checked before anything is allocated (a client cannot announce a 2^31-element array).
     */
    static final String CREDENTIALS_FILTER = "java.lang.String;!*;maxarray=2;maxdepth=2;maxrefs=4;maxbytes=4096";
    /**
     * After authentication: what JMX clients and JConsole send (names, queries, attribute
     * values of the open types, notification filters, primitive wrappers, plain collections);
     * everything else, the material of deserialization gadgets, is refused.
     */
    static final String SERIAL_FILTER = "java.lang.Object;java.lang.String;java.lang.Boolean;java.lang.Character;java.lang.Number;"
            + "java.lang.Byte;java.lang.Short;java.lang.Integer;java.lang.Long;java.lang.Float;java.lang.Double;"
            + "java.lang.Enum;java.math.BigInteger;java.math.BigDecimal;java.util.Date;java.util.ArrayList;"
            + "java.util.Arrays$ArrayList;java.util.HashMap;java.util.HashSet;java.util.LinkedHashMap;"
            + "java.util.LinkedHashSet;java.util.TreeMap;java.util.TreeSet;java.util.Vector;java.util.Collections$*;"
            + "java.rmi.MarshalledObject;javax.management.**;!*;maxdepth=32;maxarray=100000;maxrefs=100000;maxbytes=10000000";

    /** Listens on one address; a record, so equal factories let registry and connector share the port. */
    record BoundSocketFactory(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }

    /** The same, speaking TLS only; needClientAuth when a client trust store is set. */
    record TlsBoundSocketFactory(InetAddress address, SSLContext context, boolean needClientAuth) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(port, 50, address);
            s.setNeedClientAuth(needClientAuth);
            return s;
        }
    }

    private final JmxSettings settings;
    private final SSLContext tls;
    private final MBeanServer mbeans;
    private final Map<String, UserFiles.Password> passwords;
    /** failed logins: one line per client address and second, with a count of the ones held back */
    private final org.proxymap.table.LogLimiter failures = new org.proxymap.table.LogLimiter(1000);
    private final Map<String, UserFiles.Role> roles;
    private Registry registry;
    private JMXConnectorServer server;
    private JMXServiceURL url;

    private JmxConnector(JmxSettings settings, MBeanServer mbeans, Map<String, UserFiles.Password> passwords,
                         Map<String, UserFiles.Role> roles, SSLContext tls) {
        this.settings = settings;
        this.tls = tls;
        this.mbeans = mbeans;
        this.passwords = passwords;
        this.roles = roles;
    }

    /** Reads the password and access files; binds nothing yet. */
    public static JmxConnector create(JmxSettings settings, MBeanServer mbeans) throws ConfigException {
        Map<String, UserFiles.Password> passwords = UserFiles.passwords(settings.passwordFile(), Setting.JMX_PASSWORD_FILE.key());
        Map<String, UserFiles.Role> roles = UserFiles.roles(settings.accessFile(), Setting.JMX_ACCESS_FILE.key());
        for (String user : passwords.keySet()) {
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
        return new JmxConnector(settings, mbeans, passwords, roles, settings.tls() ? tlsContext(settings) : null);
    }

    /** The key store (and client trust store), read now, while the daemon may still read root-only files. */
    private static SSLContext tlsContext(JmxSettings s) throws ConfigException {
        String keystoreSetting = Setting.JMX_TLS_KEYSTORE.key();
        UserFiles.checkFile(s.tlsKeystorePasswordFile(), Setting.JMX_TLS_KEYSTORE_PASSWORD_FILE.key(), true);
        UserFiles.checkFile(s.tlsKeystore(), keystoreSetting, true);
        char[] password;
        try {
            password = Files.readString(s.tlsKeystorePasswordFile()).strip().toCharArray();
        } catch (IOException e) {
            throw new ConfigException(s.tlsKeystorePasswordFile() + ": cannot read (" + e.getMessage() + "); "
                    + Setting.JMX_TLS_KEYSTORE_PASSWORD_FILE.key() + " must name a file with the key store's password");
        }
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(s.tlsKeystore(), password, keystoreSetting), password);
            TrustManager[] trust = null;
            if (s.tlsClientTruststore() != null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                try {
                    tmf.init(org.proxymap.jmx.TrustStores.load(s.tlsClientTruststore()));
                } catch (IOException e) {
                    throw new ConfigException(s.tlsClientTruststore() + ": cannot read (" + e.getMessage() + "); check "
                            + Setting.JMX_TLS_CLIENT_TRUSTSTORE.key());
                }
                trust = tmf.getTrustManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new ConfigException(s.tlsKeystore() + ": " + e.getMessage() + " (" + keystoreSetting
                    + " needs a PKCS12 key store with the connector's key and certificate, e.g. made by keytool -genkeypair"
                    + " -storetype PKCS12)");
        }
    }

    private static KeyStore load(Path file, char[] password, String setting) throws ConfigException, GeneralSecurityException {
        try (var in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read a PKCS12 store (" + e.getMessage() + "); check " + setting
                    + " and its password");
        }
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
        RMIServerSocketFactory sockets = tls == null ? new BoundSocketFactory(address)
                : new TlsBoundSocketFactory(address, tls, settings.tlsClientTruststore() != null);
        RMIClientSocketFactory clientSockets = tls == null ? null : new SslRMIClientSocketFactory();
        int port = settings.port();
        Map<String, Object> env = new HashMap<>();
        env.put(JMXConnectorServer.AUTHENTICATOR, (JMXAuthenticator) this::authenticate);
        env.put(CREDENTIALS_FILTER_ATTRIBUTE, CREDENTIALS_FILTER);
        env.put(SERIAL_FILTER_ATTRIBUTE, SERIAL_FILTER);
        env.put("jmx.remote.x.mlet.allow.getMBeansFromURL", "false");
        env.put("jmx.remote.x.daemon", "true");
        // The connector is exported on the port first, then a registry that holds only its stub
        // and refuses every change (ReadOnlyRegistry) on the same port: a port another process
        // holds fails here, and the start with it.
        RMIJRMPServerImpl rmi = new RMIJRMPServerImpl(port, clientSockets, sockets, env);
        try {
            server = new RMIConnectorServer(new JMXServiceURL("rmi", address.getHostAddress(), port), env, rmi, mbeans);
            server.setMBeanServerForwarder(AccessControl.forwarder(roles));
            server.start();
            registry = new ReadOnlyRegistry(port, clientSockets, sockets, REGISTRY_NAME, rmi.toStub());
        } catch (IOException e) {
            stop();
            throw new IOException(address.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        } catch (IllegalAccessError e) {
            stop();
            throw new IOException("the JVM was started without --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED, which"
                    + " the read-only JMX registry needs; start the service with its launcher (scripts/proxymap or"
                    + " /usr/sbin/proxymap), which passes it", e);
        }
        url = new JMXServiceURL(ObjectNames.serviceUrl(address.getHostAddress(), port));
        log.info("remote JMX listening on {}:{} ({}{}); users from {}, roles from {}", address.getHostAddress(), port,
                ObjectNames.serviceUrl(address.getHostAddress(), port),
                tls == null ? "" : settings.tlsClientTruststore() == null ? ", TLS" : ", TLS with client certificates",
                settings.passwordFile(), settings.accessFile());
    }

    private Subject authenticate(Object credentials) {
        if (!(credentials instanceof String[] c) || c.length != 2 || c[0] == null || c[1] == null) {
            failed("(none)", "without user name and password");
            throw new SecurityException("Authentication failed: user name and password required");
        }
        UserFiles.Password want = passwords.get(c[0]);
        // the same work for unknown users, so that timing does not tell which users exist
        boolean ok = (want == null ? UNKNOWN_USER : want).matches(c[1]) && want != null;
        if (!ok) {
            failed(c[0], "");
            throw new SecurityException("Authentication failed");
        }
        return new Subject(true, Set.of(new JMXPrincipal(c[0])), Set.of(), Set.of());
    }

    private static final UserFiles.Password UNKNOWN_USER = UserFiles.Password.plain("\0unknown user");

    /**
     * One line per failed login, for fail2ban ({@code failregex = ^.*remote JMX: authentication
     * failed for user ".*" from <HOST>( \(.*\))?$}); at most one a second per client address.
     */
    private void failed(String user, String detail) {
        String from;
        try {
            from = RemoteServer.getClientHost();
        } catch (ServerNotActiveException e) {
            from = "unknown";
        }
        String shown = user.length() > 64 ? user.substring(0, 64) + "..." : user;
        shown = shown.replaceAll("[\\p{Cntrl}\"\\\\]", "?");
        failures.warn(from, "remote JMX: authentication failed for user \"" + shown + "\" from " + from
                + (detail.isEmpty() ? "" : " (" + detail + ")"));
    }

    /** The URL clients use (JConsole's host:port means the same), or null when not started. */
    public synchronized JMXServiceURL address() { return server == null ? null : url; }

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
        url = null;
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
