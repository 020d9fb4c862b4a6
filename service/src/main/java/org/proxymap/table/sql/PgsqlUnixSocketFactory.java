package org.proxymap.table.sql;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.Properties;
import javax.net.SocketFactory;

/**
 * UNIX-domain sockets for pgjdbc without a native library: pgjdbc is told
 * {@code socketFactory=}this class and {@code proxymapUnixSocket=/dir/.s.PGSQL.PORT}, and
 * creates the factory with its connection properties. The socket ({@link UnixChannelSocket})
 * is connected when created, so pgjdbc skips its own TCP connect.
 */
public final class PgsqlUnixSocketFactory extends SocketFactory {
    static final String PATH_OPTION = "proxymapUnixSocket";

    private final String path;

    /** Called by pgjdbc with the connection's properties. */
    public PgsqlUnixSocketFactory(Properties info) { path = info.getProperty(PATH_OPTION); }

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
