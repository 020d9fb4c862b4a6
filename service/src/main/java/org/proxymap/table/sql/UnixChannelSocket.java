package org.proxymap.table.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Just enough of {@link java.net.Socket} for the mysql, pgsql and ldap clients, over a JDK
 * UNIX-domain channel (no native library): connected when created, so a client's own
 * {@code connect()} is a no-op; a read that blocks longer than the socket timeout closes it
 * (channels have no SO_TIMEOUT).
 */
final class UnixChannelSocket extends Socket {
    private static final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sql-unix-socket-timeout");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private volatile int soTimeout;

    UnixChannelSocket(String path) throws IOException {
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            throw new SocketException("connect to " + path + ": " + e.getMessage());
        }
        InputStream raw = Channels.newInputStream(channel);
        in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                int n = read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int t = soTimeout;
                ScheduledFuture<?> f = t > 0 ? timer.schedule(UnixChannelSocket.this::closeQuietly, t, TimeUnit.MILLISECONDS) : null;
                try {
                    return raw.read(b, off, len);
                } catch (IOException e) {
                    if (f != null && f.isDone()) throw new java.net.SocketTimeoutException("read timed out after " + t + " ms");
                    throw e;
                } finally {
                    if (f != null) f.cancel(false);
                }
            }
        };
        out = Channels.newOutputStream(channel);
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing after a timeout
        }
    }

    @Override public InputStream getInputStream() { return in; }
    @Override public OutputStream getOutputStream() { return out; }
    @Override public boolean isConnected() { return true; }
    @Override public int getReceiveBufferSize() { return 65536; }
    @Override public int getSendBufferSize() { return 65536; }
    @Override public boolean isClosed() { return !channel.isOpen(); }
    @Override public void close() throws IOException { channel.close(); }
    @Override public void setSoTimeout(int timeout) { soTimeout = timeout; }
    @Override public int getSoTimeout() { return soTimeout; }
    @Override public void setTcpNoDelay(boolean on) { }
    @Override public void setKeepAlive(boolean on) { }
    @Override public void setSoLinger(boolean on, int linger) { }
    @Override public void setReceiveBufferSize(int size) { }
    @Override public void setSendBufferSize(int size) { }
    @Override public void setReuseAddress(boolean on) { }
    @Override public void shutdownInput() throws IOException { channel.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { channel.shutdownOutput(); }
    @Override public InetAddress getInetAddress() { return InetAddress.getLoopbackAddress(); }
    @Override public InetAddress getLocalAddress() { return InetAddress.getLoopbackAddress(); }
    @Override public void connect(SocketAddress endpoint) { }
    @Override public void connect(SocketAddress endpoint, int timeout) { }
}
