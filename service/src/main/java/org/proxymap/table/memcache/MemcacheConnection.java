package org.proxymap.table.memcache;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One connection to a memcache server, speaking Postfix's {@code memcache_proto.c}: lines end
 * in CRLF (a bare LF is accepted on input), a line longer than the limit is an error, a data
 * block is exactly its announced length followed by CRLF. Every operation must finish before
 * one deadline, so a server that never answers, or dribbles, costs at most the timeout.
 * Strings are bytes (ISO-8859-1, one char per byte). Used by one thread at a time.
 */
final class MemcacheConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(8192).flip();
    private long deadline;

    private MemcacheConnection(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    /** Connects within {@code timeoutMillis}. */
    static MemcacheConnection open(SocketAddress address, long timeoutMillis) throws IOException {
        SocketChannel ch = SocketChannel.open(address.getClass() == java.net.UnixDomainSocketAddress.class
                ? java.net.StandardProtocolFamily.UNIX : protocolOf(address));
        Selector sel = null;
        try {
            ch.configureBlocking(false);
            sel = Selector.open();
            MemcacheConnection c = new MemcacheConnection(ch, sel);
            c.deadline(timeoutMillis);
            if (!ch.connect(address)) {
                ch.register(sel, SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) c.await(SelectionKey.OP_CONNECT);
            }
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (sel != null) sel.close();
            throw e;
        }
    }

    private static java.net.ProtocolFamily protocolOf(SocketAddress a) {
        return a instanceof java.net.InetSocketAddress i && i.getAddress() instanceof java.net.Inet6Address
                ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET;
    }

    /** Starts the time allowed for the next request and its reply. */
    void deadline(long timeoutMillis) { deadline = System.nanoTime() + timeoutMillis * 1_000_000L; }

    private void await(int op) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) throw new SocketTimeoutException("timed out");
        SelectionKey key = channel.keyFor(selector);
        if (key == null) key = channel.register(selector, op);
        else key.interestOps(op);
        selector.select(left);
        selector.selectedKeys().clear();
    }

    /** Writes {@code line} and CRLF. */
    void writeLine(String line) throws IOException {
        write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes {@code data} and CRLF. */
    void writeData(String data) throws IOException { writeLine(data); }

    private void write(byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            if (channel.write(buf) == 0) await(SelectionKey.OP_WRITE);
        }
    }

    private int next() throws IOException {
        while (!in.hasRemaining()) {
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) throw new IOException("EOF");
            if (n == 0) await(SelectionKey.OP_READ);
        }
        return in.get() & 0xFF;
    }

    /**
     * One line without its CRLF or LF, as {@code memcache_get()} with a bound: a line of
     * {@code bound} or more bytes before its terminator is an error ("input too long").
     */
    String readLine(int bound) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = next();
            if (c == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
                return sb.toString();
            }
            sb.append((char) c);
            if (sb.length() >= bound) { // bound bytes and no LF yet: only a CR then LF may end it
                if (c == '\r' && next() == '\n') {
                    sb.setLength(sb.length() - 1);
                    return sb.toString();
                }
                throw new IOException("input too long");
            }
        }
    }

    /** Exactly {@code n} bytes, then CRLF ({@code memcache_fread()}). */
    String readData(int n) throws IOException {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append((char) next());
        if (next() != '\r' || next() != '\n') throw new IOException("data block not followed by CRLF");
        return sb.toString();
    }

    boolean isOpen() { return channel.isOpen(); }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to tell
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to tell
        }
    }
}
