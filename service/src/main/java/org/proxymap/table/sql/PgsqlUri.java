package org.proxymap.table.sql;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A libpq connection URI from a pgsql {@code hosts} entry
 * ({@code postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]}),
 * read as libpq reads it and turned into what pgjdbc takes: a JDBC URL, the user and
 * password, and driver properties. As in Postfix, the .cf file's {@code user},
 * {@code password} and {@code dbname} do not apply to a URI target. A host (or
 * {@code host=} parameter) that starts with {@code /} is a UNIX socket directory; no host
 * at all means libpq's default socket directory.
 *
 * @param hosts          {@code host:port} list for TCP (empty for a UNIX socket)
 * @param unixDirectory  the socket directory, or null for TCP
 * @param port           the port (names the socket file for UNIX targets), 0 = 5432
 * @param dbname         database, null = libpq's default (the user name)
 * @param user           user, null = the service's OS user (libpq's default)
 * @param password       password, null = none
 * @param properties     pgjdbc properties for the URI's parameters
 * @param masked         the URI with its password replaced by {@code *****}, for logs
 */
record PgsqlUri(List<String> hosts, String unixDirectory, int port, String dbname, String user, String password,
                Properties properties, String masked) {
    /** Debian's libpq default socket directory. */
    static final String DEFAULT_SOCKET_DIRECTORY = "/var/run/postgresql";

    /** libpq parameter → pgjdbc property (null: accepted, decided by proxymap's own settings). */
    private static final Map<String, String> PARAMETERS = new TreeMap<>(Map.ofEntries(
            Map.entry("sslmode", "sslmode"), Map.entry("sslcert", "sslcert"), Map.entry("sslkey", "sslkey"),
            Map.entry("sslrootcert", "sslrootcert"), Map.entry("sslpassword", "sslpassword"),
            Map.entry("application_name", "ApplicationName"), Map.entry("options", "options"),
            Map.entry("gssencmode", "gssEncMode"), Map.entry("target_session_attrs", "targetServerType"),
            Map.entry("keepalives", "tcpKeepAlive"), Map.entry("connect_timeout", ""), Map.entry("client_encoding", "")));

    static PgsqlUri parse(String uri) throws IllegalArgumentException {
        int schemeEnd = uri.indexOf("://");
        String rest = uri.substring(schemeEnd + 3);
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String path = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            path = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
        }
        String user = null, password = null;
        String masked = uri;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userinfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userinfo.indexOf(':');
            if (colon >= 0) {
                password = decode(userinfo.substring(colon + 1), uri);
                userinfo = userinfo.substring(0, colon);
                masked = uri.substring(0, schemeEnd + 3) + userinfo + ":*****@" + uri.substring(schemeEnd + 3 + at + 1);
            }
            if (!userinfo.isEmpty()) user = decode(userinfo, uri);
        }
        String dbname = path == null || path.isEmpty() ? null : decode(path, uri);
        List<String> hostList = new ArrayList<>();
        int port = 0;
        String unixDir = null;
        for (String hp : rest.isEmpty() ? new String[0] : rest.split(",", -1)) {
            String host = hp;
            String p = null;
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                if (close < 0) throw bad(uri, "unterminated [ in host \"" + hp + "\"");
                if (close + 1 < host.length() && host.charAt(close + 1) == ':') p = host.substring(close + 2);
                host = host.substring(1, close);
            } else {
                int colon = host.lastIndexOf(':');
                if (colon >= 0) {
                    p = host.substring(colon + 1);
                    host = host.substring(0, colon);
                }
            }
            host = decode(host, uri);
            int n = p == null || p.isEmpty() ? 0 : port(p, uri);
            if (host.startsWith("/")) {
                unixDir = host;
                port = n;
            } else if (!host.isEmpty()) {
                hostList.add((host.contains(":") ? "[" + host + "]" : host) + (n > 0 ? ":" + n : ""));
                port = n;
            }
        }
        Properties props = new Properties();
        if (query != null && !query.isEmpty()) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) throw bad(uri, "parameter \"" + kv + "\" is not name=value");
                String k = decode(kv.substring(0, eq), uri);
                String v = decode(kv.substring(eq + 1), uri);
                switch (k) {
                    case "host", "hostaddr" -> {
                        if (v.startsWith("/")) unixDir = v;
                        else hostList.add(v);
                    }
                    case "port" -> port = port(v, uri);
                    case "dbname" -> dbname = v;
                    case "user" -> user = v;
                    case "password" -> {
                        password = v;
                        masked = masked.replace(kv, "password=*****");
                    }
                    default -> {
                        String pg = PARAMETERS.get(k);
                        if (pg == null) {
                            throw bad(uri, "parameter \"" + k + "\" is not supported by proxymap's PostgreSQL client (pgjdbc); supported are "
                                    + "host, hostaddr, port, dbname, user, password and " + String.join(", ", PARAMETERS.keySet()));
                        }
                        if (!pg.isEmpty()) props.setProperty(pg, translate(k, v, uri));
                    }
                }
            }
        }
        if (unixDir != null && !hostList.isEmpty()) {
            throw bad(uri, "mixes a UNIX socket directory and TCP hosts; give them as separate hosts entries");
        }
        if (unixDir == null && hostList.isEmpty()) unixDir = DEFAULT_SOCKET_DIRECTORY;
        if (port != 0 && !hostList.isEmpty()) {
            // libpq: port= applies to hosts given without one
            int p0 = port;
            hostList.replaceAll(h -> h.matches(".*:\\d+$") && !h.endsWith("]") ? h : h + ":" + p0);
        }
        return new PgsqlUri(List.copyOf(hostList), unixDir, port, dbname, user, password, props, masked);
    }

    /** The JDBC URL; for a UNIX target the host part is a placeholder, the socket factory connects. */
    String jdbcUrl() {
        String db = dbname == null ? "" : URLEncoder.encode(dbname, StandardCharsets.UTF_8).replace("+", "%20");
        String where = unixDirectory != null ? "localhost:" + (port != 0 ? port : 5432) : String.join(",", hosts);
        return "jdbc:postgresql://" + where + "/" + db;
    }

    private static String translate(String k, String v, String uri) {
        return switch (k) {
            case "target_session_attrs" -> switch (v) {
                case "any" -> "any";
                case "read-write", "primary" -> "primary";
                case "read-only", "standby" -> "secondary";
                case "prefer-standby" -> "preferSecondary";
                default -> throw bad(uri, "target_session_attrs=" + v + " is not one of any, read-write, read-only, primary, standby, prefer-standby");
            };
            case "keepalives" -> String.valueOf(!v.equals("0"));
            default -> v;
        };
    }

    private static int port(String p, String uri) {
        if (!p.isEmpty() && p.length() <= 5 && p.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(p);
            if (n > 0 && n < 65536) return n;
        }
        throw bad(uri, "invalid port \"" + p + "\"");
    }

    private static String decode(String s, String uri) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw bad(uri, "bad %-escape in \"" + s + "\"");
        }
    }

    private static IllegalArgumentException bad(String uri, String problem) {
        String shown = uri.replaceAll("(://[^:/@]*:)[^@]*@", "$1*****@");
        return new IllegalArgumentException("connection URI " + shown + ": " + problem);
    }
}
