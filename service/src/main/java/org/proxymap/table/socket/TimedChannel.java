package org.proxymap.table.socket;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connection to a socket table's server with Postfix's time limit on every connect, read
 * and write (VSTREAM_CTL_TIMEOUT). Blocking channels park virtual threads cheaply but have no
 * SO_TIMEOUT (UNIX-domain channels have no socket adaptor at all), so a watchdog closes the
 * channel when one operation takes longer than the limit; the operation then fails with
 * {@link SocketTimeoutException}.
 */
final class TimedChannel implements AutoCloseable {
    static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "socket-table-timeout");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final Duration timeout;
    private final ByteBuffer in = ByteBuffer.allocate(8192).flip();
    private volatile boolean timedOut;
    final long createdNanos = System.nanoTime();
    volatile long lastUsedNanos = createdNanos;

    private TimedChannel(SocketChannel channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
    }

    static TimedChannel connect(Endpoint endpoint, Duration timeout) throws IOException {
        SocketChannel ch = SocketChannel.open(endpoint.family());
        TimedChannel c = new TimedChannel(ch, timeout);
        try {
            var address = endpoint.address();
            c.timed(() -> {
                ch.connect(address);
                return 0;
            });
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private interface Io { int run() throws IOException; }

    private int timed(Io io) throws IOException {
        ScheduledFuture<?> alarm = WATCHDOG.schedule(() -> {
            timedOut = true;
            close();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return io.run();
        } catch (IOException e) {
            if (timedOut) throw new SocketTimeoutException("time limit of " + timeout.toSeconds() + " s exceeded");
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    void write(byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) timed(() -> channel.write(b));
    }

    /** The next byte, 0-255. */
    int read() throws IOException {
        if (!in.hasRemaining()) fill();
        return in.get() & 0xFF;
    }

    /** Exactly {@code n} bytes. */
    byte[] read(int n) throws IOException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            if (!in.hasRemaining()) fill();
            int k = Math.min(in.remaining(), n - off);
            in.get(out, off, k);
            off += k;
        }
        return out;
    }

    private void fill() throws IOException {
        in.clear();
        int n;
        try {
            n = timed(() -> channel.read(in));
        } finally {
            in.flip();
        }
        if (n < 0) throw new EOFException("unexpected disconnect");
    }

    /** Whether the server sent something nobody asked for (or closed): such a connection is not reused. */
    boolean hasUnreadInput() { return in.hasRemaining(); }

    boolean isOpen() { return channel.isOpen(); }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do about a failed close
        }
    }
}
