package org.proxymap.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A throwaway server for the socket table types, written for the tests: socketmap
 * (netstrings) and tcp_table ({@code get %XX-key\n}) speakers whose answers a function
 * decides, or that misbehave as a broken or hostile server would ({@link #hostile}), on a free
 * loopback port or a UNIX socket. Each connection runs on its own virtual thread.
 */
public final class SocketTableServer implements AutoCloseable {
    /** What a connection does: reads requests from {@code in}, writes answers to {@code out}. */
    public interface Handler { void serve(InputStream in, OutputStream out) throws IOException; }

    private final ServerSocketChannel server;
    private final Path unixPath;
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    public final AtomicInteger accepted = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    private volatile Handler handler;
    private final Thread acceptor;

    private SocketTableServer(ServerSocketChannel server, Path unixPath, Handler handler) {
        this.server = server;
        this.unixPath = unixPath;
        this.handler = handler;
        this.acceptor = Thread.ofVirtual().name("socket-table-server").start(this::acceptLoop);
    }

    /** Listens on 127.0.0.1 on a free port. */
    public static SocketTableServer inet(Handler handler) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new SocketTableServer(s, null, handler);
    }

    /** Listens on the UNIX socket {@code path} (world-writable, so Postfix's proxymap may connect). */
    public static SocketTableServer unix(Path path, Handler handler) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        return new SocketTableServer(s, path, handler);
    }

    public int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code inet:127.0.0.1:PORT} or {@code unix:PATH}. */
    public String service() { return unixPath != null ? "unix:" + unixPath : "inet:127.0.0.1:" + port(); }

    /** Changes what new requests get. */
    public void handler(Handler h) { this.handler = h; }

    /** Closes the connections that are open now (the listener stays). */
    public void dropConnections() {
        for (SocketChannel c : connections) close(c);
        connections.clear();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                if (!server.isOpen()) {
                    close(c); // accepted while the test closed the server: it is down now
                    return;
                }
                accepted.incrementAndGet();
                connections.add(c);
                Thread.ofVirtual().start(() -> {
                    try {
                        handler.serve(Channels.newInputStream(c), Channels.newOutputStream(c));
                    } catch (IOException | RuntimeException e) {
                        // the client went away, or the test closed the connection
                    } finally {
                        connections.remove(c);
                        close(c);
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing a test connection
        }
    }

    /** Stops listening; returns once the port refuses connections (the accept loop has ended). */
    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(5000);
        } catch (IOException ignored) {
            // closing the test listener
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropConnections();
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException ignored) {
                // a temporary socket file
            }
        }
    }

    // ---- socketmap

    /** Reads one netstring, or null at a clean EOF before it. */
    public static byte[] readNetstring(InputStream in) throws IOException {
        int len = 0;
        int ch = in.read();
        if (ch < 0) return null;
        while (ch != ':') {
            if (ch < '0' || ch > '9') throw new IOException("bad netstring length");
            len = len * 10 + ch - '0';
            ch = in.read();
        }
        byte[] data = in.readNBytes(len);
        if (data.length < len || in.read() != ',') throw new EOFException("short netstring");
        return data;
    }

    public static byte[] netstring(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((p.length + ":").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(p);
        b.write(',');
        return b.toByteArray();
    }

    /**
     * A socketmap server: {@code answer} maps the request ({@code "name key"}, ISO-8859-1) to
     * the whole reply ({@code "OK value"}, ...), or to null to close the connection instead.
     */
    public Handler socketmap(Function<String, String> answer) {
        return (in, out) -> {
            byte[] q;
            while ((q = readNetstring(in)) != null) {
                requests.incrementAndGet();
                String reply = answer.apply(new String(q, StandardCharsets.ISO_8859_1));
                if (reply == null) return;
                out.write(netstring(reply));
                out.flush();
            }
        };
    }

    // ---- tcp_table

    /** Reads one line without its {@code \n}, or null at EOF. */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int ch;
        while ((ch = in.read()) >= 0 && ch != '\n') b.write(ch);
        if (ch < 0 && b.size() == 0) return null;
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * A tcp_table server: {@code answer} maps the request line ({@code "get %XX-key"}) to the
     * whole reply line without its newline ({@code "200 value"}), or to null to close instead.
     */
    public Handler tcp(Function<String, String> answer) {
        return (in, out) -> {
            String q;
            while ((q = readLine(in)) != null) {
                requests.incrementAndGet();
                String reply = answer.apply(q);
                if (reply == null) return;
                out.write((reply + "\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        };
    }

    /** How a broken or hostile table server misbehaves ({@link #hostile}). */
    public enum Hostile {
        /** accepts, reads, never answers */
        SILENT,
        /** answers every request with a line of garbage */
        GARBAGE,
        /** answers a memcache-style VALUE of 10 MB, and sends it */
        HUGE_VALUE,
        /** answers 10 MB without a line end */
        HUGE_LINE,
        /** closes every connection at once */
        CLOSE
    }

    public static final int TEN_MB = 10 * 1024 * 1024;

    /** A server that misbehaves as {@code mode} says; {@link #accepted} counts the client's retries. */
    public static Handler hostile(Hostile mode) {
        return switch (mode) {
            case SILENT -> silent();
            case GARBAGE -> raw("\u0001\u0002 WHAT? 12 34\r\n".getBytes(StandardCharsets.ISO_8859_1));
            case HUGE_VALUE -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(("VALUE key 0 " + TEN_MB + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                b.writeBytes(new byte[TEN_MB]);
                b.writeBytes("\r\nEND\r\n".getBytes(StandardCharsets.ISO_8859_1));
                yield raw(b.toByteArray());
            }
            case HUGE_LINE -> raw(new byte[TEN_MB]);
            case CLOSE -> (in, out) -> { };
        };
    }

    /** Reads requests and never answers. */
    public static Handler silent() {
        return (in, out) -> {
            while (in.read() >= 0) {
                // swallow
            }
        };
    }

    /** Answers every request with {@code bytes}, then keeps reading. */
    public static Handler raw(byte[] bytes) {
        return (in, out) -> {
            byte[] buf = new byte[4096];
            while (in.read(buf) > 0) {
                out.write(bytes);
                out.flush();
            }
        };
    }
}
