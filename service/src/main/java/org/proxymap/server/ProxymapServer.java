package org.proxymap.server;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
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

    private final TableRegistry registry;
    private final ServerCounters counters = new ServerCounters();
    private final Dispatcher dispatcher;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final List<Listener> listeners = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final ThreadFactory connectionThreads = Thread.ofVirtual().name("conn-", 0).factory();
    private volatile ServiceState state;
    private volatile boolean stopping;
    private Semaphore permits;
    private Thread watchdog;

    public ProxymapServer(ServiceConfig config, TableRegistry registry) {
        this.registry = registry;
        this.state = new ServiceState(config, 1);
        this.dispatcher = new Dispatcher(registry, counters, () -> state);
    }

    /** Creates both sockets (and {@code private/} when missing). */
    public synchronized void bind() throws IOException {
        ServiceConfig c = state.config();
        permits = new Semaphore(c.maxConnections);
        try {
            listeners.add(Listener.bind(c.socketPath(false), false, c.proxymapServiceName, c.listenBacklog, c.socketMode));
            listeners.add(Listener.bind(c.socketPath(true), true, c.proxywriteServiceName, c.listenBacklog, c.socketMode));
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
            log.info("{} service listening on {}", l.serviceName(), l.path());
        }
        watchdog = Thread.ofPlatform().daemon().name("watchdog").start(this::watch);
    }

    private void acceptLoop(Listener l) {
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
                Connection c = new Connection(ch, new Session(l.writeService(), l.serviceName()), this);
                connections.add(c);
                counters.connected();
                connectionThreads.newThread(c).start();
            } catch (ClosedChannelException e) {
                return; // stop() closed the listener
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (stopping) return;
                log.warn("accept on {}: {}", l.path(), e.getMessage()); // e.g. EMFILE: keep serving the others
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            ServiceConfig c = state.config();
            long deadline = c.requestDeadline.toNanos();
            long idle = c.idleTimeout.toNanos();
            long now = System.nanoTime();
            for (Connection conn : connections) conn.check(now, deadline, idle);
        }
    }

    void connectionClosed(Connection c) {
        if (connections.remove(c)) {
            counters.disconnected();
            permits.release();
        }
    }

    ServiceStateView view() {
        ServiceConfig c = state.config();
        return new ServiceStateView(c.announceProtocol, c.maxAttributes, c.maxAttributeSize);
    }

    boolean stopping() { return stopping; }

    public Dispatcher dispatcher() { return dispatcher; }

    public ServerCounters counters() { return counters; }

    public TableRegistry registry() { return registry; }

    public ServiceState state() { return state; }

    /** Installs a newly loaded configuration; requests already parsed finish on the old one. */
    public void install(ServiceConfig config) {
        state = new ServiceState(config, state.generation() + 1);
        registry.parameters(config.parameters());
    }

    public List<java.nio.file.Path> socketPaths() {
        return listeners.stream().map(Listener::path).toList();
    }

    /**
     * Stops accepting, lets requests in flight finish within {@code grace}, then closes every
     * connection. Socket files are removed so that clients see the service as down rather
     * than hanging on a socket nobody accepts on.
     */
    public void stop(Duration grace) {
        synchronized (this) {
            if (stopping) return;
            stopping = true;
        }
        listeners.forEach(Listener::close);
        acceptors.forEach(Thread::interrupt);
        connections.forEach(Connection::shutdown);
        long end = System.nanoTime() + grace.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            connections.forEach(Connection::shutdown);
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
