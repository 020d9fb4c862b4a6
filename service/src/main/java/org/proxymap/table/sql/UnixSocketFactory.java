package org.proxymap.table.sql;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Properties;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.util.ConfigurableSocketFactory;

/**
 * UNIX-domain sockets for the JDBC drivers without a native library (mariadb-java-client's
 * own support needs JNA; the JDK has had UNIX-domain channels since 16). A driver is told
 * {@code socketFactory=}this class and {@code proxymapUnixSocket=PATH}: mariadb-java-client
 * passes it through {@link #setConfiguration}, pgjdbc to the {@link Properties} constructor.
 * The socket ({@link UnixChannelSocket}) is connected when created, so the driver skips its
 * own TCP connect.
 */
public final class UnixSocketFactory extends ConfigurableSocketFactory {
    static final String PATH_OPTION = "proxymapUnixSocket";
    private String path;

    public UnixSocketFactory() { }

    /** pgjdbc's way: called with the connection's properties. */
    public UnixSocketFactory(Properties info) { path = info.getProperty(PATH_OPTION); }

    /** A factory for the socket at {@code path} (ldap's {@code ldapi://}). */
    public UnixSocketFactory(String path) { this.path = path; }

    @Override
    public void setConfiguration(Configuration conf, String host) {
        path = conf.nonMappedOptions().getProperty(PATH_OPTION);
    }

    @Override
    public Socket createSocket() throws IOException {
        if (path == null) throw new SocketException("no " + PATH_OPTION + " given for the UNIX socket");
        return new UnixChannelSocket(path);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException { return createSocket(); }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException { return createSocket(); }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return createSocket();
    }
}
