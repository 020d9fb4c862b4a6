package org.proxymap.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A byte-level client with time limits, for replaying transcripts: every read waits at most
 * a given time, so a server that stays silent (or a test that expects silence) never hangs.
 */
public final class RawConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();
    private boolean eof;

    public RawConnection(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    public void send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) Thread.onSpinWait();
        }
    }

    /** Reads more bytes, waiting at most until {@code deadline} (nanoTime); false on timeout or EOF. */
    private boolean fill(long deadline) throws IOException {
        if (eof) return false;
        long wait = (deadline - System.nanoTime()) / 1_000_000;
        if (wait <= 0) return false;
        selector.select(wait);
        selector.selectedKeys().clear();
        in.compact();
        int n = channel.read(in);
        in.flip();
        if (n < 0) eof = true;
        return n > 0;
    }

    /**
     * The bytes of one complete attribute list (through its terminator), or null on end of
     * file before the list completed.
     *
     * @throws java.util.concurrent.TimeoutException nothing complete within {@code millis}
     */
    public byte[] readList(long millis) throws IOException, java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            int end = listEnd();
            if (end > 0) {
                byte[] out = new byte[end];
                in.get(out);
                return out;
            }
            if (!fill(deadline)) {
                if (eof) return null;
                if (System.nanoTime() - deadline >= 0) {
                    throw new java.util.concurrent.TimeoutException("no complete reply within " + millis + " ms; have "
                            + Arrays.toString(Arrays.copyOfRange(in.array(), in.position(), in.limit())));
                }
            }
        }
    }

    /** Length of the first complete list in the buffer (name NUL value NUL ... NUL), or 0. */
    private int listEnd() {
        int p = in.position();
        int lim = in.limit();
        byte[] a = in.array();
        while (p < lim) {
            if (a[p] == 0) return p + 1 - in.position(); // empty name: the terminator
            while (p < lim && a[p] != 0) p++; // name
            p++;
            while (p < lim && a[p] != 0) p++; // value
            p++;
        }
        return 0;
    }

    /** Waits {@code millis}; returns the number of bytes that arrived meanwhile (0 = silent), or -1 on EOF. */
    public int bytesWithin(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() - deadline < 0 && !eof) fill(deadline);
        if (in.hasRemaining()) return in.remaining();
        return eof ? -1 : 0;
    }

    /** Waits up to {@code millis} for the server to close; true when it did, with nothing sent first. */
    public boolean closedWithin(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!eof && System.nanoTime() - deadline < 0) fill(deadline);
        return eof && !in.hasRemaining();
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
