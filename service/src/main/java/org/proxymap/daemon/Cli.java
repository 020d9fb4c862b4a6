package org.proxymap.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.jmx.CheckReport;

/**
 * The command-line commands besides serving:
 * <pre>
 *   proxymap [-c DIR] config [NAME ...]   print name = value, fully expanded (like postconf -x)
 *   proxymap [-c DIR] check               check the configuration and every approved table
 *   proxymap [-c DIR] await-ready [SECONDS]   wait until both sockets accept connections
 * </pre>
 * {@code config} without names prints every parameter the service uses (Postfix's, then its
 * own); whitespace in values is collapsed as postconf prints it. {@code await-ready} is the
 * units' ExecStartPost: systemd starts what is ordered after this service (Postfix) only once
 * it returns, so no Postfix client finds the socket missing and sleeps mail_connect_wait
 * (10 s); it waits at most SECONDS (default 60). Exit status: 0 when fine,
 * 1 on a configuration error (or an unknown name), 2 on a usage error.
 */
public final class Cli {
    private Cli() {}

    /** True when {@code args} asks for a command rather than the service. */
    public static boolean isCommand(String[] args) {
        return command(args) >= 0;
    }

    private static int command(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-c")) i++;
            else if (args[i].equals("config") || args[i].equals("check") || args[i].equals(AWAIT_READY)) return i;
        }
        return -1;
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int at = command(args);
        if (at < 0) {
            err.println("proxymap: fatal: usage: proxymap [-c config_dir] config [name ...] | check | " + AWAIT_READY + " [seconds]");
            return 2;
        }
        Path dir;
        try {
            dir = ProxymapDaemon.parseConfigDirectory(java.util.Arrays.copyOf(args, at));
        } catch (ConfigException e) {
            err.println("proxymap: fatal: " + e.getMessage());
            return 2;
        }
        List<String> names = new ArrayList<>(List.of(args).subList(at + 1, args.length));
        return switch (args[at]) {
            case "config" -> config(dir, names, out, err);
            case AWAIT_READY -> awaitReady(dir, names, out, err);
            default -> {
                if (!names.isEmpty()) {
                    err.println("proxymap: fatal: usage: proxymap [-c config_dir] check");
                    yield 2;
                }
                yield check(dir, out, err);
            }
        };
    }

    static int config(Path dir, List<String> names, PrintStream out, PrintStream err) {
        ServiceConfig c;
        try {
            c = ServiceConfig.load(dir);
        } catch (ConfigException e) {
            err.println("proxymap: fatal: " + e.getMessage());
            return 1;
        }
        c.warnings().forEach(w -> err.println("proxymap: warning: " + w));
        if (names.isEmpty()) names = ServiceConfig.usedParameters();
        int status = 0;
        for (String name : names) {
            String v;
            try {
                v = c.value(name);
            } catch (ConfigException e) {
                err.println("proxymap: error: " + e.getMessage());
                status = 1;
                continue;
            }
            if (v == null) {
                err.println("proxymap: warning: " + name + ": unknown parameter");
                status = 1;
                continue;
            }
            String shown = shown(v);
            out.println(shown.isEmpty() ? name + " =" : name + " = " + shown);
        }
        return status;
    }

    /** A value as postconf prints it: words separated by one space. */
    public static String shown(String value) {
        return value == null ? "" : String.join(" ", value.strip().split("[ \t\r\n]+"));
    }

    static final String AWAIT_READY = "await-ready";

    /** Waits until the proxymap and proxywrite sockets of {@code dir}'s configuration accept connections. */
    static int awaitReady(Path dir, List<String> args, PrintStream out, PrintStream err) {
        long seconds;
        try {
            if (args.size() > 1) throw new NumberFormatException();
            seconds = args.isEmpty() ? 60 : Long.parseLong(args.get(0));
            if (seconds < 0) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            err.println("proxymap: fatal: usage: proxymap [-c config_dir] " + AWAIT_READY + " [seconds], seconds a whole number >= 0");
            return 2;
        }
        ServiceConfig c;
        try {
            c = ServiceConfig.load(dir);
        } catch (ConfigException e) {
            err.println("proxymap: fatal: " + e.getMessage());
            return 1;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Path socket : List.of(c.socketPath(false), c.socketPath(true))) {
            while (!accepts(socket)) {
                if (System.nanoTime() - deadline > 0) {
                    err.println("proxymap: fatal: " + socket + " accepts no connection after " + seconds
                            + " s; is the service running? (journalctl -u proxymap)");
                    return 1;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
        }
        out.println("proxymap: ready: " + c.socketPath(false) + " and " + c.socketPath(true) + " accept connections");
        return 0;
    }

    /** A connection to the socket succeeds (a socket file left by a dead server refuses it). */
    private static boolean accepts(Path socket) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int check(Path dir, PrintStream out, PrintStream err) {
        CheckReport r = ConfigChecker.check(dir);
        for (String p : r.problems()) {
            err.println("proxymap: " + (p.startsWith(ConfigChecker.WARNING) ? p : "error: " + p));
        }
        if (r.ok()) {
            out.println("proxymap: configuration " + dir + " is usable (" + r.tables().size() + " approved tables checked)");
            return 0;
        }
        out.println("proxymap: configuration " + dir + " is NOT usable; fix the errors above");
        return 1;
    }
}
