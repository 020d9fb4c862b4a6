package org.proxymap.daemon;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.daemon.Daemon;
import org.apache.commons.daemon.DaemonContext;
import org.apache.commons.daemon.DaemonUserSignal;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.config.Setting;
import org.proxymap.management.Management;
import org.proxymap.server.ProxymapServer;
import org.proxymap.systemd.ListenFds;
import org.proxymap.systemd.SystemdNotify;
import org.proxymap.table.TableRegistry;

/**
 * NAME
 *   proxymap - lookup table proxy server for Postfix, on the JVM
 *
 * SYNOPSIS
 *   proxymap [-c config_dir]                      (foreground, {@link #main})
 *   proxymap [-c config_dir] config [name ...]   (effective parameters, like postconf -x; {@link Cli})
 *   proxymap [-c config_dir] check                (check configuration and tables; {@link ConfigChecker})
 *   proxymap [-c config_dir] export-proxy-proxymap   (approved tables, one per line; export-proxy-proxywrite too)
 *   proxymap --version                            (print the version)
 *   jsvc ... org.proxymap.daemon.ProxymapDaemon [-c config_dir]
 *
 * DESCRIPTION
 *   A drop-in replacement for Postfix's proxymap(8) and proxywrite services. Postfix
 *   processes (smtpd, cleanup, trivial-rewrite, postmap -q ... proxy:type:name) connect to
 *   $queue_directory/private/$proxymap_service_name (read-only requests) and
 *   $queue_directory/private/$proxywrite_service_name (read-write requests) and speak
 *   Postfix's proxymap protocol, unchanged, in any of its dialects (Postfix 2.x-3.5 with
 *   proxymap_protocol_announcement = no; 3.6-3.10 and 3.11+ told apart per request).
 *   Each connection has its own virtual thread, so a slow table never delays another
 *   client; each table is opened once and shared by every client.
 *
 *   Requests: open, lookup, update, delete, sequence. Replies: OK, NOKEY, RETRY, BAD,
 *   DENY, CONFIG. A table that cannot be opened is answered as Postfix does: the open
 *   succeeds and every lookup gets RETRY, with the reason in the log.
 *
 * SECURITY
 *   A table is served only when proxy:type:name appears in proxy_read_maps (proxymap) or
 *   proxy_write_maps (proxywrite), exactly as the client names it, checked on every request;
 *   update and delete are refused on the read-only service. Requests are not
 *   authenticated: the sockets' 0700 private/ directory is the access control.
 *   Under jsvc, init() runs as the -user account with CAP_NET_BIND_SERVICE and
 *   CAP_DAC_READ_SEARCH (it reads configuration and secrets and binds the sockets), and
 *   start() onwards with no capabilities at all. Do not proxy tables with sensitive
 *   information (user IDs, mailbox paths, commands); Postfix opens those directly anyway.
 *
 * LIMITS
 *   A request must arrive in full within proxymap_request_deadline of its first byte, and
 *   must fit proxymap_max_attributes and proxymap_max_attribute_size; otherwise that one
 *   connection is closed and the log says which limit and the setting that raises it.
 *
 * CONFIGURATION
 *   -c config_dir names Postfix's configuration directory (default /etc/postfix), as for
 *   postconf, postmap and postfix. main.cf supplies queue_directory, proxymap_service_name,
 *   proxywrite_service_name, proxy_read_maps and proxy_write_maps (with Postfix's
 *   defaults). The optional config_dir/proxymap.cf, in main.cf syntax, holds this
 *   service's settings, and a Postfix parameter set there overrides main.cf for this
 *   service only. An unknown name there is a warning ("possible spelling error"); a malformed
 *   value (of a setting, or of a Postfix parameter such as ipc_timeout = 10x) is an error
 *   with file and line, and the service does not start. Settings and defaults (see also
 *   {@link Setting}):
 *
 *   proxymap_protocol_announcement = yes   announce the protocol on connect (Postfix 3.6+)
 *   proxymap_request_deadline = 1s         time to receive a request once it started
 *   proxymap_idle_timeout = 3600s          close connections idle for this long
 *   proxymap_max_attributes = 64           attributes in one request
 *   proxymap_max_attribute_size = 131072   bytes in one attribute name or value (> header_size_limit)
 *   proxymap_listen_backlog = 4096         listen backlog of each socket
 *   proxymap_socket_mode = 0666            permissions of the socket files
 *   proxymap_max_connections = 10000       connections served at once
 *   proxymap_shutdown_grace = 10s          time for requests in flight on stop
 *   proxymap_config_status_as_retry = no   send CONFIG as RETRY (Postfix 2.x clients)
 *   proxymap_sql_max_connections = 100     database connections open at once, all SQL pools together
 *   proxymap_sql_pool_max_connections = 20 connections of one pool (host, user, database)
 *   proxymap_ldap_searches_per_connection = 32  ldap searches in flight on one connection (1: one each)
 *   proxymap_sql_connect_timeout = 2s      connect to (or check) a database server
 *   proxymap_sql_query_timeout = 5s        one query, or the wait for a free connection
 *   proxymap_pgsql_default_encoding = LATIN1  pgsql client encoding when a .cf sets none (UTF8: Postfix 3.8+)
 *   proxymap_jmx_port = 0                  remote JMX port (0: off; MXBeans stay local)
 *   proxymap_jmx_address = 127.0.0.1       address of the remote JMX connector
 *   proxymap_jmx_password_file = $config_directory/proxymap-jmx.password  (user password, 0600)
 *   proxymap_jmx_access_file = $config_directory/proxymap-jmx.access      (user readonly|readwrite|jvm-admin)
 *   proxymap_jmx_tls_keystore =                   PKCS12 key store: the JMX connector speaks TLS (needed off loopback)
 *   proxymap_jmx_tls_keystore_password_file =     its password, alone in a 0600 file
 *   proxymap_jmx_tls_client_truststore =          PEM certificates of JMX clients (then required)
 *   proxymap_platform_threads = 256        connections on platform threads; more get virtual ones
 *   proxymap_busy_poll_microseconds = 50   poll for a connection's next request before blocking
 *   proxymap_postfix_version = auto        Postfix version whose allow-list rules apply (auto: installed)
 *   proxymap_db_in_memory_max_size = 33554432  read-only hash:/btree: files up to this size answer from memory
 *   proxymap_cache_maps =                  tables whose lookups are cached (see README.md, Cache)
 *   proxymap_cache_ttl = 60s               a cached found value answers this long
 *   proxymap_cache_negative_ttl = 10s      a cached "not found" answers this long
 *   proxymap_cache_stale_ttl = 1h          past its TTL, a cached answer answers RETRYs this long
 *   proxymap_cache_max_entries = 100000    cached answers, all tables together
 *
 * SYSTEMD
 *   Under Type=notify units the service sends READY=1 once both sockets listen, STATUS=
 *   with the configuration generation in force (updated on every reload, with the reason
 *   when one is refused) and STOPPING=1 on stop. With WatchdogSec= it pings systemd from its
 *   own watchdog thread (every 50 ms scan, at half the interval), so a process that stops
 *   running (stalled, frozen) stops pinging and systemd restarts it. Socket activation
 *   (proxymap.socket): the sockets systemd passes (LISTEN_FDS, for LISTEN_PID, which is jsvc's
 *   controller under jsvc) that listen on this configuration's paths are served instead of
 *   created, and are neither created nor removed here; they stay open across a restart, so
 *   clients wait in their backlog instead of sleeping 10 s. Without LISTEN_FDS the service
 *   creates its sockets itself.
 *
 * SIGNALS
 *   SIGUSR2 reloads the configuration (jsvc forwards it to signal(); in the foreground a
 *   handler does the same): parse, validate, swap; a broken configuration is refused and
 *   the old one keeps serving. SIGTERM stops: no new connections, requests in flight are
 *   answered, sockets removed. Under jsvc, SIGHUP restarts the JVM: do not use it for
 *   reload. The launchers set _JAVA_SR_SIGNUM=40, so that HotSpot suspends threads (JFR's
 *   sampler) with that signal instead of SIGUSR2; without it, a warning says so at start.
 */
public final class ProxymapDaemon implements Daemon, DaemonUserSignal {
    static {
        // java.util.logging (the MariaDB driver logs through it) into log4j, before anything uses it
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.apache.logging.log4j.jul.LogManager");
        }
    }

    private static final Logger log = LogManager.getLogger("proxymap");

    private Path configDirectory = Path.of("/etc/postfix");
    private ProxymapServer server;
    private Reloader reloader;
    private Management management;
    private boolean underJsvc;
    private SystemdNotify systemd = SystemdNotify.fromEnvironment(false);

    /** jsvc: runs as the service user; reads configuration and binds the sockets. */
    @Override
    public void init(DaemonContext context) throws Exception {
        underJsvc = true;
        init(context.getArguments());
    }

    void init(String[] args) throws Exception {
        configDirectory = parseConfigDirectory(args);
        systemd = SystemdNotify.fromEnvironment(underJsvc);
        ServiceConfig config;
        try {
            config = ServiceConfig.load(configDirectory);
        } catch (ConfigException e) {
            log.fatal(e.getMessage());
            throw e;
        }
        config.warnings().forEach(log::warn);
        if (System.getenv("_JAVA_SR_SIGNUM") == null) {
            log.warn("_JAVA_SR_SIGNUM is not set: HotSpot suspends threads with SIGUSR2 for JFR sampling, and each"
                    + " sample would reload the configuration; start the service with scripts/proxymap or the"
                    + " installed launcher, which set it");
        }
        ListenFds.Passed passed = ListenFds.fromEnvironment(underJsvc);
        if (passed.ignored() != null) log.warn("socket activation: {}; the sockets are created here", passed.ignored());
        try {
            for (boolean write : new boolean[] {false, true}) {
                Path socket = config.socketPath(write);
                // a socket systemd passed needs no writable directory here
                if (!PassedSockets.covers(passed, socket)) SocketDirectory.checkWritable(socket);
            }
        } catch (ConfigException e) {
            log.fatal(e.getMessage());
            throw e;
        }
        TableRegistry registry = new TableRegistry(config.parameters());
        server = new ProxymapServer(config, registry);
        try {
            PassedSockets sockets = PassedSockets.adopt(passed, config);
            server.bind(sockets.proxymap(), sockets.proxywrite());
        } catch (java.io.IOException e) {
            log.fatal(e.getMessage());
            throw e;
        }
        reloader = new Reloader(config.configDirectory(), server);
        reloader.onReload(r -> systemd.send("STATUS=" + status(r.generation(), r.ok() ? null : r.message())));
        try {
            management = Management.create(config, server, reloader, version(),
                    ManagementFactory.getPlatformMBeanServer());
        } catch (ConfigException e) {
            log.fatal(e.getMessage());
            server.close();
            throw e;
        }
    }

    /** jsvc: serves, with no capabilities left. */
    @Override
    public void start() throws java.io.IOException {
        if (management != null) {
            try {
                management.start(); // before serving: a JMX port that cannot be bound fails the start
            } catch (java.io.IOException e) {
                log.fatal(e.getMessage());
                throw e;
            }
        }
        server.start();
        log.info("daemon started -- version {}, configuration {}, running as {}", version(), configDirectory,
                System.getProperty("user.name"));
        log.info("configuration generation {} in force", server.state().generation());
        server.onWatchdogTick(systemd::watchdogTick);
        systemd.send("READY=1\nSTATUS=" + status(server.state().generation(), null));
    }

    /** systemd's STATUS= line: what {@code systemctl status proxymap} shows. */
    private static String status(long generation, String refused) {
        return "serving, configuration generation " + generation
                + (refused == null ? "" : "; last reload refused: " + refused.replace('\n', ' '));
    }

    /** jsvc (SIGTERM): drains within proxymap_shutdown_grace. */
    @Override
    public void stop() {
        systemd.send("STOPPING=1");
        if (server != null) server.stop(server.state().config().shutdownGrace);
        log.info("daemon stopped");
    }

    /** jsvc: removes the socket files and closes every table. */
    @Override
    public void destroy() {
        if (management != null) management.close();
        if (server != null) {
            server.close();
            server.registry().close();
        }
    }

    /** jsvc's SIGUSR2: reload. */
    @Override
    public void signal() {
        if (reloader != null) reloader.reload();
    }

    public ProxymapServer server() { return server; }

    public Reloader reloader() { return reloader; }

    public Management management() { return management; }

    /**
     * Runs {@code action} on signal SIG{@code name}, through {@code sun.misc.Signal} (module
     * jdk.unsupported, the JDK's only signal API). Named reflectively: javac's "internal
     * proprietary API" warning on it has no SuppressWarnings key and would fail the -Werror build.
     */
    private static void onSignal(String name, Runnable action) throws ReflectiveOperationException {
        Class<?> signal = Class.forName("sun.misc.Signal");
        Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
        Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        action.run();
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "SIG" + name + " handler";
                });
        signal.getMethod("handle", signal, handlerType).invoke(null, signal.getConstructor(String.class).newInstance(name),
                handler);
    }

    static String version() {
        return org.proxymap.jmx.Version.get();
    }

    static Path parseConfigDirectory(String[] args) throws ConfigException {
        Path dir = Path.of("/etc/postfix");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-c")) {
                if (i + 1 >= args.length) throw new ConfigException("-c needs a directory: -c /etc/postfix");
                dir = Path.of(args[++i]);
            }
        }
        return dir;
    }

    /** Foreground mode: {@code proxymap [-c DIR]}. Exits non-zero when the start fails. */
    public static void main(String[] args) throws Exception {
        if (Cli.isCommand(args)) System.exit(Cli.run(args, System.out, System.err));
        List<String> rest = new ArrayList<>(List.of(args));
        ProxymapDaemon d = new ProxymapDaemon();
        try {
            d.init(rest.toArray(String[]::new));
        } catch (Exception e) {
            System.err.println("proxymap: fatal: " + e.getMessage());
            System.exit(1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            d.stop();
            d.destroy();
            org.apache.logging.log4j.LogManager.shutdown();
            stopped.countDown();
        }, "shutdown"));
        try {
            onSignal("USR2", () -> Thread.ofVirtual().start(d::signal));
        } catch (InvocationTargetException e) {
            log.warn("cannot handle SIGUSR2 here ({}); reload through JMX instead", e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            log.warn("cannot handle SIGUSR2 here ({}); reload through JMX instead", e.toString());
        }
        d.start();
        stopped.await();
    }
}
