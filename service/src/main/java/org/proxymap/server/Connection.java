package org.proxymap.server;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.poll.BusyPoll;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrReader;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.protocol.ProtocolException;

/**
 * One client connection on its own thread (see {@link BusyPoll} for how it waits): hello, then read one request, write
 * one reply, repeat. Nothing a client sends can escape this loop: a protocol error or an
 * expired deadline closes this connection only.
 */
final class Connection implements Runnable {
    private static final Logger log = LogManager.getLogger("proxymap");
    static final byte[] HELLO = new AttrWriter().str("protocol", "proxymap_protocol").end().toByteArray();

    private static final int IDLE = 0, BUSY = 1, CLOSING = 2;

    private final SocketChannel channel;
    private final Session session;
    private final ProxymapServer server;
    private final AtomicInteger phase = new AtomicInteger(IDLE);
    /** when the current request's first byte (or the reply's write) started; 0 = none */
    private volatile long deadlineStart;
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean timedOut;
    /** a request was answered on this connection */
    private volatile boolean answered;

    Connection(SocketChannel channel, Session session, ProxymapServer server) {
        this.channel = channel;
        this.session = session;
        this.server = server;
    }

    @Override
    public void run() {
        ServiceStateView s = server.view();
        ByteChannel io = s.busyPoll().wrap(channel);
        AttrReader reader = new AttrReader(io, 8192, s.maxAttributes(), s.maxAttributeSize(), this::requestStarted);
        AttrList request = new AttrList();
        AttrWriter reply = new AttrWriter();
        try {
            if (s.announce()) write(HELLO);
            // while a restart hands the sockets over, a client between two requests (postmap's open and
            // lookup) gets its answers too: stop() closes the connection once it has been quiet a while
            while (!server.stopping() || phase.get() == BUSY || server.handingOver()) {
                if (!reader.read(request)) break; // client closed between requests
                deadlineStart = 0;
                if (!server.dispatcher().handle(request, session, reply)) break;
                deadlineStart = System.nanoTime();
                reply.writeTo(io);
                deadlineStart = 0;
                lastActivity = System.nanoTime();
                answered = true;
                if (!phase.compareAndSet(BUSY, IDLE)) break; // shutdown asked meanwhile: reply sent, done
            }
        } catch (ProtocolException e) {
            server.counters().malformed.increment();
            log.warn("{}; closing this connection", e.getMessage() + " from " + session.socketName());
        } catch (EOFException e) {
            if (!timedOut) log.warn("{} from {}", e.getMessage(), session.socketName());
        } catch (ClosedChannelException e) {
            // closed by the watchdog (deadline, idle) or by shutdown; already logged there
        } catch (IOException e) {
            if (!timedOut && !server.stopping()) log.warn("{}: {}", session.socketName(), e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // a bug on the request path: this client loses its connection (and reconnects), nobody else is affected
            server.counters().internalErrors.increment();
            log.error("internal error serving a client of the " + session.socketName() + "; closing this connection", e);
        } finally {
            close();
            server.connectionClosed(this);
        }
    }

    private void requestStarted() {
        if (!phase.compareAndSet(IDLE, BUSY)) {
            // shutdown closed us between requests; the read fails right after
            return;
        }
        deadlineStart = System.nanoTime();
    }

    private void write(byte[] bytes) throws IOException {
        deadlineStart = System.nanoTime();
        var b = java.nio.ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) channel.write(b);
        deadlineStart = 0;
    }

    /** Called by the watchdog: closes a connection past its request deadline or idle limit. */
    void check(long now, long deadlineNanos, long idleNanos) {
        long start = deadlineStart;
        if (start != 0 && now - start > deadlineNanos) {
            timedOut = true;
            server.counters().deadlineExpiries.increment();
            log.warn("timeout on {} while reading or writing a request (proxymap_request_deadline); closing this connection",
                    session.socketName());
            close();
        } else if (start == 0 && phase.get() == IDLE && now - lastActivity > idleNanos) {
            timedOut = true;
            server.counters().idleTimeouts.increment();
            close();
        }
    }

    /** True when a reply went out at or after {@code nanoTime}. */
    boolean activeSince(long nanoTime) {
        return lastActivity - nanoTime >= 0;
    }

    /**
     * Shutdown, called repeatedly while the server stops: an idle connection is closed once it has
     * had no request for {@code quietNanos}, or at {@code lastCall}; a busy one after its reply. A
     * client that is between two requests of one conversation (its connection was just accepted,
     * or it is about to send the lookup after the open) would otherwise find the connection closed
     * mid-way: ECONNRESET, or SIGPIPE for postmap, which does not ignore it.
     */
    void shutdown(long now, long quietNanos, boolean lastCall) {
        // a client that has not sent its first request yet is about to: it gets until the last call
        boolean quiet = answered && now - lastActivity >= quietNanos;
        if ((lastCall || quiet) && phase.compareAndSet(IDLE, CLOSING)) close();
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the peer is gone either way
        }
    }
}
