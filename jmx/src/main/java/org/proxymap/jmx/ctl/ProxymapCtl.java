package org.proxymap.jmx.ctl;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.proxymap.jmx.CheckReport;
import org.proxymap.jmx.LookupResult;
import org.proxymap.jmx.ObjectNames;
import org.proxymap.jmx.PoolInfo;
import org.proxymap.jmx.PoolsMXBean;
import org.proxymap.jmx.ReloadMXBean;
import org.proxymap.jmx.ReloadResult;
import org.proxymap.jmx.ServiceMXBean;
import org.proxymap.jmx.TableInfo;
import org.proxymap.jmx.TablesMXBean;

/**
 * NAME
 *   proxymapctl - control and inspect a running proxymap over JMX, for people and scripts
 *
 * SYNOPSIS
 *   proxymapctl [-c DIR | --jmx HOST:PORT] [--user NAME] [--password-file FILE] [--json]
 *               [--tls] [--truststore F] [--keystore F --keystore-password-file F] COMMAND
 *
 * COMMANDS
 *   reload            reload the configuration; refused: prints why, exit 1
 *   check             check the configuration on disk; problems: exit 1
 *   stats             process and protocol counters
 *   tables            every open table with its counters
 *   table NAME        one table's instances (NAME is type:name); not open: exit 1
 *   query TABLE KEY   look KEY up as a proxymap client would; prints the value; not found: exit 1
 *   cache-drop TABLE [KEY]  drop TABLE's cached answers (proxymap_cache_maps), or only KEY's
 *   health            a monitoring check in the Nagios plugin format (see HEALTH); exit 0-3
 *
 * OPTIONS
 *   -c DIR              take proxymap_jmx_address, proxymap_jmx_port and
 *                       proxymap_jmx_password_file from DIR/proxymap.cf (then main.cf)
 *   --jmx HOST:PORT     connect here instead
 *   --user NAME         JMX user (default admin)
 *   --password-file F   the password: a file with the password alone on one line, or a
 *                       server password file ('user password' lines). Never on the command line.
 *   --json              one JSON document on stdout
 *   --tls               the connector speaks TLS (implied by -c DIR when proxymap.cf sets
 *                       proxymap_jmx_tls_keystore, and by --truststore)
 *   --truststore F      the connector's certificate or its CA (PEM; or PKCS12 without password)
 *   --keystore F        PKCS12 key store with a client certificate (when the service asks for one)
 *   --keystore-password-file F   its password, alone on one line
 *   --version           print "proxymapctl VERSION" and exit
 *
 * HEALTH
 *   proxymapctl health prints one line, "PROXYMAP STATE - what is wrong | perfdata", as a
 *   Nagios, Icinga or Zabbix check expects, and exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 *   CRITICAL: a table could not be opened (unsupported type, broken file or .cf: every lookup
 *   answers RETRY); a connection pool has every host down; the last reload was refused (the
 *   service still serves the configuration before it); the service stalled for a second or
 *   more (GC pause, CPU starvation) within the last 5 minutes. WARNING: some, not all, of a
 *   pool's hosts are down; a shorter stall within the last 5 minutes. UNKNOWN: the service
 *   cannot be reached or refuses the user, and usage errors. Perfdata: tables,
 *   tables_unavailable, pools, hosts_down, connections, stalls, requests. A read-only user
 *   (the readonly role) is enough, e.g. in nrpe.cfg:
 *     command[proxymap]=/usr/sbin/proxymapctl -c /etc/postfix --user monitor --password-file /etc/nagios/proxymap.pw health
 *
 * EXIT STATUS
 *   0 success; 1 the operation failed or was refused; 2 usage; 3 cannot connect or authenticate.
 *   health: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (including usage errors).
 */
public final class ProxymapCtl {
    public static final int OK = 0, FAILED = 1, USAGE = 2, UNREACHABLE = 3;

    private static final String USAGE_TEXT = """
            usage: proxymapctl [-c DIR | --jmx HOST:PORT] [--user NAME] [--password-file FILE] [--json]
                               [--tls] [--truststore FILE] [--keystore FILE --keystore-password-file FILE] COMMAND
              commands: reload | check | stats | tables | table NAME | query TABLE KEY | cache-drop TABLE [KEY] | health
              exit: 0 ok, 1 operation failed, 2 usage, 3 cannot connect or authenticate
                    (health: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)""";
    /** Nagios plugin states, for health. */
    static final int WARNING = 1, CRITICAL = 2, UNKNOWN = 3;
    /** health looks this far back for stalls */
    static final long STALL_WINDOW_MILLIS = 5 * 60_000L;

    /** A failure with the exit status it maps to. */
    static final class Failure extends Exception {
        final int status;

        Failure(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final PrintStream out;
    private final PrintStream err;

    ProxymapCtl(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ProxymapCtl ctl = new ProxymapCtl(out, err);
        try {
            return ctl.execute(args);
        } catch (Failure f) {
            if (java.util.Arrays.asList(args).contains("health")) { // a monitoring system reads stdout and 3
                out.println("PROXYMAP UNKNOWN - " + f.getMessage());
                return UNKNOWN;
            }
            err.println("proxymapctl: " + f.getMessage());
            if (f.status == USAGE) err.println(USAGE_TEXT);
            return f.status;
        }
    }

    private int execute(String[] args) throws Failure {
        String jmx = null, user = null, passwordFile = null, configDir = null, truststore = null, keystore = null,
                keystorePasswordFile = null;
        boolean json = false, tls = false;
        List<String> command = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-c" -> configDir = value(args, ++i, a);
                case "--jmx" -> jmx = value(args, ++i, a);
                case "--user" -> user = value(args, ++i, a);
                case "--password-file" -> passwordFile = value(args, ++i, a);
                case "--json" -> json = true;
                case "--tls" -> tls = true;
                case "--truststore" -> truststore = value(args, ++i, a);
                case "--keystore" -> keystore = value(args, ++i, a);
                case "--keystore-password-file" -> keystorePasswordFile = value(args, ++i, a);
                case "-h", "--help" -> {
                    out.println(USAGE_TEXT);
                    return OK;
                }
                case "--version" -> {
                    out.println("proxymapctl " + org.proxymap.jmx.Version.get());
                    return OK;
                }
                case "--password", "-p" -> throw new Failure(USAGE,
                        a + ": passwords are never taken from the command line (ps shows them); use --password-file FILE");
                default -> {
                    if (a.startsWith("-") && command.isEmpty()) throw new Failure(USAGE, "unknown option " + a);
                    command.add(a);
                }
            }
        }
        if (command.isEmpty()) throw new Failure(USAGE, "no command given");
        int arity = switch (command.get(0)) {
            case "reload", "check", "stats", "tables", "health" -> 0;
            case "table" -> 1;
            case "query" -> 2;
            case "cache-drop" -> command.size() == 3 ? 2 : 1;
            default -> throw new Failure(USAGE, "unknown command " + command.get(0));
        };
        if (command.get(0).equals("cache-drop") && command.size() > 3) {
            throw new Failure(USAGE, "cache-drop takes TABLE and an optional KEY");
        }
        if (command.size() != arity + 1) {
            throw new Failure(USAGE, command.get(0) + " takes " + arity + " argument" + (arity == 1 ? "" : "s"));
        }
        if (jmx != null && configDir != null) throw new Failure(USAGE, "give either -c DIR or --jmx HOST:PORT, not both");
        String host;
        int port;
        if (configDir != null) {
            Map<String, String> cf = ServiceCf.read(Path.of(configDir));
            String p = cf.getOrDefault("proxymap_jmx_port", "0").trim();
            port = parsePort(p, "proxymap_jmx_port in " + configDir + "/proxymap.cf");
            if (port == 0) {
                throw new Failure(UNREACHABLE, "remote JMX is off in " + configDir
                        + " (proxymap_jmx_port = 0); set proxymap_jmx_port in proxymap.cf and restart the service");
            }
            host = cf.getOrDefault("proxymap_jmx_address", "127.0.0.1").trim();
            if (passwordFile == null) passwordFile = cf.getOrDefault("proxymap_jmx_password_file", configDir + "/proxymap-jmx.password");
            if (!cf.getOrDefault("proxymap_jmx_tls_keystore", "").isBlank()) tls = true;
        } else if (jmx != null) {
            int colon = jmx.lastIndexOf(':');
            if (colon <= 0) throw new Failure(USAGE, "--jmx " + jmx + ": expected HOST:PORT, e.g. 127.0.0.1:9875");
            host = jmx.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            port = parsePort(jmx.substring(colon + 1), "--jmx " + jmx);
            if (port == 0) throw new Failure(USAGE, "--jmx " + jmx + ": port 0");
        } else {
            throw new Failure(USAGE, "where is the service? give -c DIR (Postfix configuration directory) or --jmx HOST:PORT");
        }
        if (user == null) user = "admin";
        if (passwordFile == null) throw new Failure(USAGE, "--password-file FILE is required with --jmx");
        String password = password(Path.of(passwordFile), user);

        if (truststore != null || keystore != null) tls = true;
        if (tls) useTls(truststore, keystore, keystorePasswordFile);
        JMXConnector connector = connect(host, port, user, password, tls);
        try {
            MBeanServerConnection c;
            try {
                c = connector.getMBeanServerConnection();
            } catch (IOException e) {
                throw new Failure(UNREACHABLE, "cannot talk to " + host + ":" + port + ": " + e.getMessage());
            }
            return perform(c, command, json);
        } catch (SecurityException e) {
            throw new Failure(FAILED, "refused: " + e.getMessage() + " (user " + user + "; roles are in proxymap_jmx_access_file)");
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof SecurityException)) cause = cause.getCause();
            if (cause instanceof SecurityException) {
                throw new Failure(FAILED, "refused: " + cause.getMessage() + " (user " + user + "; roles are in proxymap_jmx_access_file)");
            }
            if (cause instanceof IOException) throw new Failure(UNREACHABLE, "connection lost: " + cause.getMessage());
            throw new Failure(FAILED, e.toString());
        } finally {
            try {
                connector.close();
            } catch (IOException e) {
                // the work is done; nothing to report
            }
        }
    }

    private static String value(String[] args, int i, String option) throws Failure {
        if (i >= args.length) throw new Failure(USAGE, option + " needs a value");
        return args[i];
    }

    private static int parsePort(String p, String where) throws Failure {
        try {
            int n = Integer.parseInt(p.trim());
            if (n >= 0 && n <= 65535) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new Failure(USAGE, where + ": " + p + " is not a TCP port");
    }

    /** The password: a file with the password alone, or 'user password' lines. */
    static String password(Path file, String user) throws Failure {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Failure(USAGE, file + ": no such password file");
        } catch (IOException e) {
            throw new Failure(USAGE, file + ": cannot read: " + e.getMessage());
        }
        List<String> entries = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (String l : entries) {
            String[] f = l.split("\\s+", 2);
            if (f.length == 2 && f[0].equals(user)) return f[1].strip();
        }
        if (entries.size() == 1 && entries.get(0).split("\\s+").length == 1) return entries.get(0);
        throw new Failure(USAGE, file + ": no password for user " + user
                + " (expected the password alone on one line, or a line '" + user + " password')");
    }

    /** TLS for the registry and the connector: the default SSL context (which the RMI stubs use), from these files. */
    private static void useTls(String truststore, String keystore, String keystorePasswordFile) throws Failure {
        if (keystore != null && keystorePasswordFile == null) throw new Failure(USAGE, "--keystore needs --keystore-password-file FILE");
        try {
            javax.net.ssl.TrustManager[] trust = null;
            if (truststore != null) {
                var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(org.proxymap.jmx.TrustStores.load(Path.of(truststore)));
                trust = tmf.getTrustManagers();
            }
            javax.net.ssl.KeyManager[] keys = null;
            if (keystore != null) {
                char[] pw = password(Path.of(keystorePasswordFile), null).toCharArray();
                java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
                try (var in = Files.newInputStream(Path.of(keystore))) {
                    ks.load(in, pw);
                }
                var kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
                keys = kmf.getKeyManagers();
            }
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            javax.net.ssl.SSLContext.setDefault(ctx);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new Failure(USAGE, "TLS: " + e.getMessage());
        }
    }

    private JMXConnector connect(String host, int port, String user, String password, boolean tls) throws Failure {
        JMXServiceURL url;
        try {
            url = new JMXServiceURL(ObjectNames.serviceUrl(host, port));
        } catch (IOException e) {
            throw new Failure(USAGE, host + ":" + port + ": " + e.getMessage());
        }
        Map<String, Object> env = new LinkedHashMap<>();
        env.put(JMXConnector.CREDENTIALS, new String[] {user, password});
        if (tls) env.put("com.sun.jndi.rmi.factory.socket", new javax.rmi.ssl.SslRMIClientSocketFactory()); // the registry too
        try {
            return JMXConnectorFactory.connect(url, env);
        } catch (SecurityException e) {
            throw new Failure(UNREACHABLE, "authentication failed for user " + user + " at " + host + ":" + port
                    + " (check the password file and proxymap_jmx_password_file)");
        } catch (IOException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new Failure(UNREACHABLE, "cannot connect to " + host + ":" + port + ": " + root.getMessage()
                    + " (is the service running with proxymap_jmx_port = " + port + " and proxymap_jmx_address = " + host + "?)");
        }
    }

    private int perform(MBeanServerConnection c, List<String> command, boolean json) throws Failure {
        switch (command.get(0)) {
            case "reload" -> {
                ReloadResult r = proxy(c, ObjectNames.RELOAD, ReloadMXBean.class).reload();
                if (json) out.println(Json.write(r));
                else if (r.ok()) out.println("reload ok: configuration generation " + r.generation() + " in force (" + r.durationMillis() + " ms)");
                else err.println("proxymapctl: reload refused: " + r.message() + "\nproxymapctl: still serving configuration generation " + r.generation());
                return r.ok() ? OK : FAILED;
            }
            case "check" -> {
                CheckReport r = proxy(c, ObjectNames.RELOAD, ReloadMXBean.class).check();
                if (json) {
                    out.println(Json.write(r));
                } else {
                    r.problems().forEach(p -> (r.ok() ? out : err).println((r.ok() ? "warning: " : "error: ") + p));
                    if (r.ok()) out.println("configuration ok: " + r.tables().size() + " approved table" + (r.tables().size() == 1 ? "" : "s"));
                    else err.println("proxymapctl: configuration check failed");
                }
                return r.ok() ? OK : FAILED;
            }
            case "stats" -> {
                Map<String, Object> stats = attributes(proxy(c, ObjectNames.SERVICE, ServiceMXBean.class), ServiceMXBean.class);
                if (json) out.println(Json.write(stats));
                else stats.forEach((k, v) -> out.println(k + ": " + v));
                return OK;
            }
            case "tables" -> {
                List<TableInfo> tables = proxy(c, ObjectNames.TABLES, TablesMXBean.class).getTables();
                if (json) out.println(Json.write(tables));
                else printTables(tables);
                return OK;
            }
            case "table" -> {
                List<TableInfo> tables = proxy(c, ObjectNames.TABLES, TablesMXBean.class).table(command.get(1));
                if (json) {
                    out.println(Json.write(tables));
                } else if (tables.isEmpty()) {
                    err.println("proxymapctl: " + command.get(1) + " is not open (no client has used it since the service started)");
                } else {
                    for (TableInfo t : tables) {
                        Json.fields(t).forEach((k, v) -> out.println(k + ": " + v));
                        out.println();
                    }
                }
                return tables.isEmpty() ? FAILED : OK;
            }
            case "cache-drop" -> {
                String key = command.size() > 2 ? command.get(2) : null;
                int dropped = proxy(c, ObjectNames.TABLES, TablesMXBean.class).cacheDrop(command.get(1), key);
                if (json) out.println(Json.write(Map.of("table", command.get(1), "dropped", dropped)));
                else out.println("dropped " + dropped + " cached answer" + (dropped == 1 ? "" : "s") + " of " + command.get(1)
                        + (key == null ? "" : " for key " + key));
                return OK;
            }
            case "health" -> {
                Health h = health(c);
                out.println(json ? Json.write(h) : h.line());
                return h.status();
            }
            default -> {
                LookupResult r = proxy(c, ObjectNames.TABLES, TablesMXBean.class).lookup(command.get(1), command.get(2));
                if (json) out.println(Json.write(r));
                else if (r.found()) out.println(r.value());
                else if (!r.status().equals("NOKEY")) err.println("proxymapctl: " + r.table() + ": " + r.status()
                        + (r.status().equals("DENY") ? " (not in proxy_read_maps)" : ""));
                return r.found() ? OK : FAILED;
            }
        }
    }

    /**
     * A monitoring check's outcome.
     *
     * @param status   0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
     * @param state    OK, WARNING, CRITICAL or UNKNOWN
     * @param problems what is wrong, the worst first; empty when OK
     * @param perfdata Nagios performance data: label=value pairs
     */
    record Health(int status, String state, List<String> problems, Map<String, String> perfdata) {
        String line() {
            StringBuilder sb = new StringBuilder("PROXYMAP ").append(state).append(" - ")
                    .append(problems.isEmpty() ? "serving" : String.join("; ", problems)).append(" |");
            perfdata.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            return sb.toString();
        }
    }

    private static Health health(MBeanServerConnection c) {
        ServiceMXBean service = proxy(c, ObjectNames.SERVICE, ServiceMXBean.class);
        ReloadMXBean reload = proxy(c, ObjectNames.RELOAD, ReloadMXBean.class);
        List<TableInfo> tables = proxy(c, ObjectNames.TABLES, TablesMXBean.class).getTables();
        List<PoolInfo> pools = proxy(c, ObjectNames.POOLS, PoolsMXBean.class).getPools();
        long now = service.getStartTimeMillis() + service.getUptimeMillis(); // the service's clock
        return health(tables, pools, reload.isLastReloadOk(), reload.getLastReloadMessage(), service.getStalls(),
                service.getLastStallMillis(), service.getLastLongStallMillis(), now, service.getConnectionsActive(),
                service.getRequests().values().stream().mapToLong(Long::longValue).sum());
    }

    /** The check itself, from the figures the service reports. */
    static Health health(List<TableInfo> tables, List<PoolInfo> pools, boolean reloadOk, String reloadMessage, long stalls,
                         long lastStallMillis, long lastLongStallMillis, long now, long connections, long requests) {
        List<String> critical = new ArrayList<>();
        List<String> warning = new ArrayList<>();
        List<String> unavailable = tables.stream().filter(t -> !t.available()).map(TableInfo::name).distinct().toList();
        if (!unavailable.isEmpty()) {
            critical.add(unavailable.size() + " table" + (unavailable.size() == 1 ? "" : "s") + " unavailable (lookups answer RETRY): "
                    + String.join(", ", unavailable));
        }
        int hostsDown = 0;
        for (PoolInfo p : pools) {
            hostsDown += p.hostsDown();
            if (p.hosts() > 0 && p.hostsDown() >= p.hosts()) {
                critical.add("pool " + p.target() + ": every host down (" + p.hosts() + ")");
            } else if (p.hostsDown() > 0) {
                warning.add("pool " + p.target() + ": " + p.hostsDown() + " of " + p.hosts() + " hosts down");
            }
        }
        if (!reloadOk) critical.add("last reload refused: " + reloadMessage.replace('\n', ' '));
        if (lastLongStallMillis > 0 && now - lastLongStallMillis < STALL_WINDOW_MILLIS) {
            critical.add("the service stalled for a second or more " + (now - lastLongStallMillis) / 1000 + " s ago");
        } else if (lastStallMillis > 0 && now - lastStallMillis < STALL_WINDOW_MILLIS) {
            warning.add("the service stalled briefly " + (now - lastStallMillis) / 1000 + " s ago");
        }
        List<String> problems = new ArrayList<>(critical);
        problems.addAll(warning);
        int status = !critical.isEmpty() ? CRITICAL : !warning.isEmpty() ? WARNING : OK;
        Map<String, String> perf = new LinkedHashMap<>();
        perf.put("tables", String.valueOf(tables.size()));
        perf.put("tables_unavailable", unavailable.size() + ";;1");
        perf.put("pools", String.valueOf(pools.size()));
        perf.put("hosts_down", hostsDown + ";1");
        perf.put("connections", String.valueOf(connections));
        perf.put("stalls", stalls + "c");
        perf.put("requests", requests + "c");
        return new Health(status, List.of("OK", "WARNING", "CRITICAL").get(status), problems, perf);
    }

    private static <T> T proxy(MBeanServerConnection c, String name, Class<T> type) {
        try {
            return JMX.newMXBeanProxy(c, new ObjectName(name), type);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every attribute of an MXBean proxy, sorted by attribute name. */
    static Map<String, Object> attributes(Object proxy, Class<?> type) {
        Map<String, Object> m = new java.util.TreeMap<>();
        for (Method method : type.getMethods()) {
            String n = method.getName();
            if (method.getParameterCount() != 0) continue;
            String attribute = n.startsWith("get") ? n.substring(3) : n.startsWith("is") ? n.substring(2) : null;
            if (attribute == null) continue;
            try {
                m.put(attribute, method.invoke(proxy));
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }

    private void printTables(List<TableInfo> tables) {
        if (tables.isEmpty()) {
            out.println("no open tables (tables open when a client first uses them)");
            return;
        }
        out.printf("%-40s %-5s %9s %9s %9s %7s %7s %9s %9s %9s %9s  %s%n", "TABLE", "MODE", "LOOKUPS", "HITS", "MISSES",
                "ERRORS", "DENIED", "P50_US", "P99_US", "MAX_US", "P99_1M_US", "LAST_ERROR");
        for (TableInfo t : tables) {
            out.printf("%-40s %-5s %9d %9d %9d %7d %7d %9.1f %9.1f %9.1f %9.1f  %s%n", t.name(), t.writable() ? "rw" : "ro",
                    t.lookups(), t.hits(), t.misses(), t.errors(), t.denials(), t.latencyP50Micros(),
                    t.latencyP99Micros(), t.latencyMaxMicros(), t.recentLatencyP99Micros(), t.lastError());
        }
    }

}
