package org.proxymap.server;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ServiceConfig;
import org.proxymap.poll.BusyPoll;
import org.proxymap.table.TableRegistry;

/**
 * The proxymap and proxywrite services: two listening sockets, a virtual thread per client
 * connection, a watchdog for deadlines and idle connections, and graceful shutdown
 * (stop accepting, answer requests in flight, then close).
 *
 * <p>Lifecycle: {@link #bind} (may need privileges; creates the sockets), {@link #start}
 * (serves), {@link #stop} (drains), {@link #close} (removes the socket files).
 */
public final class ProxymapServer implements AutoCloseable {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final long WATCH_PERIOD_MILLIS = 50;
    /** a watchdog wake-up this late means the process was stalled */
    private static final long STALL_NANOS = 250_000_000L;
    /** On stop, an idle connection that had a request within this time may be mid-conversation: it waits */
    private static final long QUIET_NANOS = 250_000_000L;
    /** ... but not longer than this after the stop began */
    private static final long LINGER_NANOS = 1_000_000_000L;

    private final TableRegistry registry;
    private final ServerCounters counters = new ServerCounters();
    private final Dispatcher dispatcher;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final List<Listener> listeners = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final ThreadFactory connectionThreads = Thread.ofVirtual().name("conn-", 0).factory();
    /** Platform threads answer a request sooner than virtual ones (no poller hand-off), see {@link #connectionThread}. */
    private final ThreadFactory platformThreads = Thread.ofPlatform().daemon().name("pconn-", 0).factory();
    private final java.util.concurrent.atomic.AtomicInteger platformConnections = new java.util.concurrent.atomic.AtomicInteger();
    private volatile ServiceState state;
    private volatile BusyPoll busyPoll;
    private volatile boolean stopping;
    private volatile boolean handingOver;
    private Semaphore permits;
    private Thread watchdog;
    /** run on every watchdog scan; the daemon pings systemd's watchdog from it, so a stalled process stops pinging */
    private volatile Runnable watchdogTick = () -> {};

    public ProxymapServer(ServiceConfig config, TableRegistry registry) {
        this.registry = registry;
        this.state = new ServiceState(config, 1);
        this.busyPoll = BusyPoll.forCores(config.busyPollMicros);
        this.dispatcher = new Dispatcher(registry, counters, () -> state);
    }

    /** Creates both sockets (and {@code private/} when missing). */
    public synchronized void bind() throws IOException {
        bind(null, null);
    }

    /**
     * As {@link #bind()}, except for the channels given: sockets systemd passed (socket activation),
     * already listening on this configuration's paths, served as they are; their files are never
     * removed here, so clients wait in their backlog while the service restarts.
     */
    public synchronized void bind(ServerSocketChannel passedProxymap, ServerSocketChannel passedProxywrite) throws IOException {
        ServiceConfig c = state.config();
        permits = new Semaphore(c.maxConnections);
        try {
            listeners.add(passedProxymap != null
                    ? Listener.inherited(c.socketPath(false), false, c.proxymapServiceName, passedProxymap)
                    : Listener.bind(c.socketPath(false), false, c.proxymapServiceName, c.listenBacklog, c.socketMode));
            listeners.add(passedProxywrite != null
                    ? Listener.inherited(c.socketPath(true), true, c.proxywriteServiceName, passedProxywrite)
                    : Listener.bind(c.socketPath(true), true, c.proxywriteServiceName, c.listenBacklog, c.socketMode));
        } catch (IOException e) {
            listeners.forEach(Listener::close);
            listeners.clear();
            throw e;
        }
    }

    /** Starts accepting on every bound socket. */
    public synchronized void start() {
        for (Listener l : listeners) {
            Thread t = Thread.ofPlatform().daemon().name("accept-" + l.serviceName()).start(() -> acceptLoop(l));
            acceptors.add(t);
            log.info("{} service listening on {}{}", l.serviceName(), l.path(),
                    l.isInherited() ? " (socket passed by systemd, kept open across restarts)" : "");
        }
        watchdog = Thread.ofPlatform().daemon().name("watchdog").start(this::watch);
    }

    private void acceptLoop(Listener l) {
        int failures = 0; // consecutive accept failures: logged once when they start and once when they end
        while (!stopping) {
            try {
                permits.acquire();
                SocketChannel ch;
                try {
                    ch = l.accept();
                } catch (IOException e) {
                    permits.release();
                    throw e;
                }
                if (failures > 0) {
                    log.info("accept on {} works again after {} failures", l.path(), failures);
                    failures = 0;
                }
                Connection c = new Connection(ch, new Session(l.writeService(), l.serviceName()), this);
                connections.add(c);
                counters.connected();
                connectionThread(c).start();
            } catch (ClosedChannelException e) {
                return; // stop() closed the listener
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (stopping) return;
                counters.acceptFailures.increment();
                if (failures++ == 0) { // e.g. EMFILE: keep serving the connections we have, retry every 100 ms
                    log.error("accept on {}: {}; new clients wait in the listen backlog until this clears{}", l.path(),
                            e.getMessage(), String.valueOf(e.getMessage()).contains("Too many open files")
                                    ? " (out of file descriptors: raise LimitNOFILE / ulimit -n above proxymap_max_connections"
                                    + " plus the tables' files and database connections, or lower proxymap_max_connections)" : "");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * The first {@code proxymap_platform_threads} connections get a platform thread each: a
     * blocked read wakes directly, where a virtual thread goes through the poller and the
     * carrier pool, which costs about twice the CPU and latency per request (scripts/bench).
     * Further connections get virtual threads, so many idle clients stay cheap.
     */
    private Thread connectionThread(Connection c) {
        if (platformConnections.incrementAndGet() <= state.config().platformThreads) {
            return platformThreads.newThread(() -> {
                try {
                    c.run();
                } finally {
                    platformConnections.decrementAndGet();
                }
            });
        }
        platformConnections.decrementAndGet();
        return connectionThreads.newThread(c);
    }

    private void watch() {
        long last = System.nanoTime();
        long resumeAt = 0;
        long previous = last; // the previous scan: connections active since then count for busy polling
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(WATCH_PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long woke = System.nanoTime();
            long stall = woke - last - WATCH_PERIOD_MILLIS * 1_000_000L;
            last = woke;
            if (stall > STALL_NANOS) {
                // The whole process did not run (GC pause, CPU starvation, SIGSTOP): the clients were not slow,
                // we were. Let the connection threads catch up on what arrived meanwhile before judging them.
                resumeAt = woke + Math.min(stall, 2_000_000_000L);
                counters.stalled(stall);
                if (stall >= ServerCounters.LONG_STALL_NANOS) {
                    log.warn("the service did not run for {} ms (GC pause or CPU starvation?); deadlines and idle limits paused",
                            stall / 1_000_000);
                }
            }
            watchdogTick.run();
            if (woke - resumeAt < 0) continue;
            ServiceConfig c = state.config();
            long deadline = c.requestDeadline.toNanos();
            long idle = c.idleTimeout.toNanos();
            long now = System.nanoTime();
            int active = 0;
            for (Connection conn : connections) {
                conn.check(now, deadline, idle);
                if (conn.activeSince(previous)) active++;
            }
            previous = now;
            busyPoll.activeConnections(active);
        }
    }

    /** {@code tick} runs on every watchdog scan (every 50 ms while the process runs). */
    public void onWatchdogTick(Runnable tick) {
        watchdogTick = tick;
    }

    void connectionClosed(Connection c) {
        if (connections.remove(c)) {
            counters.disconnected();
            permits.release();
        }
    }

    ServiceStateView view() {
        ServiceConfig c = state.config();
        return new ServiceStateView(c.announceProtocol, c.maxAttributes, c.maxAttributeSize, busyPoll);
    }

    boolean stopping() { return stopping; }

    /**
     * Stopping with sockets systemd keeps open: clients queue for the next process, so a client
     * in mid-conversation is let finish rather than cut off (postmap dies of the SIGPIPE). With
     * its own sockets the service stops as it always has: idle connections are closed at once.
     */
    boolean handingOver() { return handingOver; }

    public Dispatcher dispatcher() { return dispatcher; }

    public ServerCounters counters() { return counters; }

    public TableRegistry registry() { return registry; }

    public ServiceState state() { return state; }

    /** Installs a newly loaded configuration; requests already parsed finish on the old one. */
    public void install(ServiceConfig config) {
        if (config.busyPollMicros != state.config().busyPollMicros) busyPoll = BusyPoll.forCores(config.busyPollMicros);
        state = new ServiceState(config, state.generation() + 1);
        registry.parameters(config.parameters());
    }

    public List<Path> socketPaths() {
        return listeners.stream().map(Listener::path).toList();
    }

    /**
     * Stops accepting, lets requests in flight finish within {@code grace}, then closes every
     * connection. Socket files are removed so that clients see the service as down rather
     * than hanging on a socket nobody accepts on; those systemd passed stay, and clients wait in
     * their backlog for the next process.
     */
    public void stop(Duration grace) {
        synchronized (this) {
            if (stopping) return;
            handingOver = listeners.stream().anyMatch(Listener::isInherited);
            stopping = true;
        }
        listeners.forEach(Listener::close);
        acceptors.forEach(Thread::interrupt);
        for (Thread t : acceptors) { // a connection accepted just now is registered before the drain looks
            try {
                t.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long begin = System.nanoTime();
        long end = begin + grace.toNanos();
        while (!connections.isEmpty()) {
            long now = System.nanoTime();
            // idle connections go now; while handing over, quiet ones go now, the others once quiet, every
            // idle one by the end of the linger
            boolean lastCall = !handingOver || now - begin >= Math.min(LINGER_NANOS, grace.toNanos());
            connections.forEach(c -> c.shutdown(now, QUIET_NANOS, lastCall));
            if (connections.isEmpty() || now - end >= 0) break;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!connections.isEmpty()) {
            log.warn("{} connections still busy after proxymap_shutdown_grace; closing them", connections.size());
            connections.forEach(Connection::close);
        }
        if (watchdog != null) watchdog.interrupt();
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
        listeners.forEach(Listener::close);
        listeners.clear();
    }
}
