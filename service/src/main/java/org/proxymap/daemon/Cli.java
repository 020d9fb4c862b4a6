package org.proxymap.daemon;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.jmx.CheckReport;

/**
 * The command-line commands besides serving:
 * <pre>
 *   proxymap [-c DIR] config [NAME ...]   print name = value, fully expanded (like postconf -x)
 *   proxymap [-c DIR] check               check the configuration and every approved table
 *   proxymap [-c DIR] export-proxy-proxymap    the tables proxymap approves, one per line
 *   proxymap [-c DIR] export-proxy-proxywrite  the tables proxywrite approves, one per line
 *   proxymap --version                    print "proxymap VERSION"
 * </pre>
 * The export commands print what Postfix 3.11's {@code proxymap -S -V -n export-proxy-proxymap}
 * prints: each approved table once, without {@code proxy:}, in byte order, by the rules of
 * the Postfix version followed ({@code proxymap_postfix_version}).
 * {@code config} without names prints every parameter the service uses (Postfix's, then its
 * own); whitespace in values is collapsed as postconf prints it. Exit status: 0 when fine,
 * 1 on a configuration error (or an unknown name), 2 on a usage error.
 */
public final class Cli {
    private Cli() {}

    /** True when {@code args} asks for a command rather than the service. */
    public static boolean isCommand(String[] args) {
        return command(args) >= 0;
    }

    private static final String EXPORT_READ = "export-proxy-proxymap";
    private static final String EXPORT_WRITE = "export-proxy-proxywrite";
    private static final List<String> COMMANDS = List.of("config", "check", "--version", EXPORT_READ, EXPORT_WRITE);

    private static int command(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-c")) i++;
            else if (COMMANDS.contains(args[i])) return i;
        }
        return -1;
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int at = command(args);
        if (at < 0) {
            err.println("proxymap: fatal: usage: proxymap [-c config_dir] config [name ...] | check"
                    + " | export-proxy-proxymap | export-proxy-proxywrite | --version");
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
            case "--version" -> {
                out.println("proxymap " + ProxymapDaemon.version());
                yield 0;
            }
            case "config" -> config(dir, names, out, err);
            case EXPORT_READ, EXPORT_WRITE -> {
                if (!names.isEmpty()) {
                    err.println("proxymap: fatal: usage: proxymap [-c config_dir] " + args[at]);
                    yield 2;
                }
                yield export(dir, args[at].equals(EXPORT_WRITE), out, err);
            }
            default -> {
                if (!names.isEmpty()) {
                    err.println("proxymap: fatal: usage: proxymap [-c config_dir] check");
                    yield 2;
                }
                yield check(dir, out, err);
            }
        };
    }

    /** The configuration with its warnings printed, or null after printing why it does not load. */
    private static ServiceConfig load(Path dir, PrintStream err) {
        ServiceConfig c;
        try {
            c = ServiceConfig.load(dir);
        } catch (ConfigException e) {
            err.println("proxymap: fatal: " + e.getMessage());
            return null;
        }
        c.warnings().forEach(w -> err.println("proxymap: warning: " + w));
        return c;
    }

    static int config(Path dir, List<String> names, PrintStream out, PrintStream err) {
        ServiceConfig c = load(dir, err);
        if (c == null) return 1;
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

    static int export(Path dir, boolean write, PrintStream out, PrintStream err) {
        ServiceConfig c = load(dir, err);
        if (c == null) return 1;
        for (String t : (write ? c.writeMaps : c.readMaps).exported()) out.println(t);
        return 0;
    }

    /** A value as postconf prints it: words separated by one space. */
    public static String shown(String value) {
        return value == null ? "" : String.join(" ", value.strip().split("[ \t\r\n]+"));
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
