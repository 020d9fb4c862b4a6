package org.proxymap.table.sql;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One {@code hosts} entry, parsed as Postfix's {@code host_init()}: {@code unix:/path},
 * {@code inet:host[:port]} or {@code host[:port]}; the port is a number or a service
 * name from /etc/services; {@code localhost} (any case) means the default UNIX socket,
 * the MySQL way.
 *
 * @param entry  the entry as written (for logs)
 * @param unix   true for a UNIX-domain socket
 * @param host   host name or address (inet), or the socket path (unix; null = default socket)
 * @param port   TCP port, 0 = default
 * @param uri    pgsql: a connection URI ({@code postgresql://...}), else null
 */
record HostSpec(String entry, boolean unix, String host, int port, String uri) {

    HostSpec(String entry, boolean unix, String host, int port) { this(entry, unix, host, port, null); }

    /**
     * One pgsql {@code hosts} entry, as dict_pgsql.c's {@code host_init()}: a connection
     * URI ({@code postgresql://} or {@code postgres://}, Postfix 3.10+; 3.7 knew only
     * {@code postgresql:}); else {@code unix:} and {@code inet:} are stripped and a name
     * starting with {@code /} (or empty) is a UNIX socket directory, anything else
     * {@code host[:port]} over TCP, {@code localhost} included (unlike mysql). libpq takes
     * only numeric ports.
     */
    static HostSpec parsePgsql(String entry) throws IllegalArgumentException {
        if (entry.startsWith("postgresql://") || entry.startsWith("postgres://")) {
            PgsqlUri uri = PgsqlUri.parse(entry);
            return new HostSpec(uri.masked(), uri.unixDirectory() != null, uri.unixDirectory(), 0, entry);
        }
        String d = entry.startsWith("unix:") || entry.startsWith("inet:") ? entry.substring(5) : entry;
        if (d.isEmpty() || d.startsWith("/")) return new HostSpec(entry, true, d.isEmpty() ? null : d, 0);
        int colon = d.lastIndexOf(':');
        int port = 0;
        if (colon >= 0) {
            String p = d.substring(colon + 1);
            d = d.substring(0, colon);
            if (!p.isEmpty()) {
                if (!p.chars().allMatch(Character::isDigit) || p.length() > 5 || Integer.parseInt(p) == 0 || Integer.parseInt(p) > 65535) {
                    throw new IllegalArgumentException("invalid port \"" + p + "\" in hosts entry \"" + entry
                            + "\"; PostgreSQL takes a port number (1-65535), not a service name");
                }
                port = Integer.parseInt(p);
            }
        }
        if (d.startsWith("[") && d.endsWith("]")) d = d.substring(1, d.length() - 1);
        if (d.isEmpty()) throw new IllegalArgumentException("host entry \"" + entry + "\" has no host name");
        return new HostSpec(entry, false, d, port);
    }

    static HostSpec parse(String entry) throws IllegalArgumentException {
        String d = entry;
        boolean unix;
        if (d.startsWith("unix:")) {
            d = d.substring(5);
            unix = true;
        } else {
            if (d.startsWith("inet:")) d = d.substring(5);
            unix = false;
        }
        int port = 0;
        int colon = d.lastIndexOf(':');
        if (colon >= 0) {
            port = port(d.substring(colon + 1), entry);
            d = d.substring(0, colon);
        }
        if (d.toLowerCase(Locale.ROOT).equals("localhost")) return new HostSpec(entry, true, null, port);
        if (!unix && d.startsWith("[") && d.endsWith("]")) d = d.substring(1, d.length() - 1);
        if (d.isEmpty()) throw new IllegalArgumentException("host entry \"" + entry + "\" has no host name");
        return new HostSpec(entry, unix, d, port);
    }

    private static int port(String s, String entry) {
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            int p = Integer.parseInt(s);
            if (p > 0 && p < 65536) return p;
        } else if (!s.isEmpty()) {
            try {
                for (String line : Files.readAllLines(Path.of("/etc/services"))) {
                    String[] f = line.replaceFirst("#.*", "").trim().split("\\s+");
                    if (f.length < 2 || !f[1].endsWith("/tcp")) continue;
                    for (int i = 0; i < f.length; i++) {
                        if ((i == 0 || i >= 2) && f[i].equals(s)) return Integer.parseInt(f[1].substring(0, f[1].indexOf('/')));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown service: " + s + "/tcp in hosts entry \"" + entry
                + "\"; use a port number or a name from /etc/services");
    }
}
