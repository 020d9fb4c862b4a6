package org.proxymap.poll;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Busy polling between requests ({@code proxymap_busy_poll_microseconds}): after a reply,
 * a connection polls its socket for the client's next request for a few microseconds
 * before it blocks. Postfix clients send their lookups in bursts (one per table of a
 * restriction or an address rewrite), and a blocked thread costs a sleep and a wake-up per
 * request, about a third of a request's latency on a quiet server. As Linux's
 * {@code net.core.busy_read}, it trades CPU for latency, so it runs only while the CPU has
 * room for it: a polling thread and its client each keep a core busy, hence connections poll
 * only while at most half the cores' number of connections were active in the last
 * watchdog period, and at most that many at once. A server with more active clients needs
 * its CPU for requests: every connection blocks, as without polling. A poll that finds
 * nothing costs its time in CPU and nothing else. Virtual threads never poll (they would
 * hold a carrier).
 */
public final class BusyPoll {
    private final long nanos;
    private final int maxPollers;
    private final AtomicInteger pollers = new AtomicInteger();
    private volatile boolean quiet = true;

    /**
     * @param micros how long one poll lasts; 0 turns polling off
     * @param maxPollers connections that may poll at once, and the most active connections
     *        with which any may (0: never poll)
     */
    public BusyPoll(int micros, int maxPollers) {
        this.nanos = micros * 1000L;
        this.maxPollers = maxPollers;
    }

    /** Half the cores (none on a single core, where a poller would only delay its client). */
    public static BusyPoll forCores(int micros) {
        return new BusyPoll(micros, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** The watchdog's count of connections that finished a request in its last period. */
    public void activeConnections(int n) {
        quiet = n <= maxPollers;
    }

    /** {@code channel}, polling on its reads when this thread may poll. */
    public ByteChannel wrap(SocketChannel channel) {
        return new Polling(channel);
    }

    private boolean enter() {
        if (!quiet || pollers.get() >= maxPollers) return false;
        if (pollers.incrementAndGet() <= maxPollers) return true;
        pollers.decrementAndGet();
        return false;
    }

    /**
     * Reads poll without blocking while this thread holds a polling slot, then block; writes
     * block (a partial non-blocking write switches the socket back to blocking). The socket's
     * mode changes only when the outcome changes, so a steady stream of requests found by
     * polling costs no extra system call.
     */
    private final class Polling implements ByteChannel {
        private final SocketChannel channel;
        private final boolean mayPoll = nanos > 0 && !Thread.currentThread().isVirtual();
        private boolean blocking = true;

        Polling(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (mayPoll && enter()) {
                try {
                    if (blocking) mode(false);
                    long deadline = System.nanoTime() + nanos;
                    do {
                        int n = channel.read(dst);
                        if (n != 0) return n;
                        Thread.onSpinWait();
                    } while (quiet && System.nanoTime() - deadline < 0);
                } finally {
                    pollers.decrementAndGet();
                }
            }
            if (!blocking) mode(true);
            return channel.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = channel.write(src);
            if (src.hasRemaining() && !blocking) {
                mode(true); // the client reads slowly: wait for it as a blocking write does
                n += channel.write(src);
            }
            return n;
        }

        private void mode(boolean block) throws IOException {
            channel.configureBlocking(block);
            blocking = block;
        }

        @Override
        public boolean isOpen() { return channel.isOpen(); }

        @Override
        public void close() throws IOException { channel.close(); }
    }
}
