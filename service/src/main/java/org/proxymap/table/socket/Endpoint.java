package org.proxymap.table.socket;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;

/**
 * Where a socket table's server listens, as Postfix writes it: {@code host:port} or
 * {@code [ipv6]:port} (inet_connect()), and for socketmap also {@code inet:host:port},
 * {@code unix:/path} and {@code local:/path} (auto_clnt_create()).
 *
 * @param text   as written, for messages and as the key of a shared connection pool
 * @param family INET or UNIX
 * @param host   the host (INET) or the socket path (UNIX)
 * @param port   the port, 0 for UNIX
 */
public record Endpoint(String text, StandardProtocolFamily family, String host, int port) {

    /** {@code inet:}, {@code unix:} or {@code local:} followed by the address. */
    public static Endpoint parseService(String service) throws IllegalArgumentException {
        int colon = service.indexOf(':');
        if (colon <= 0 || colon == service.length() - 1) {
            throw new IllegalArgumentException("need service transport:endpoint instead of \"" + service + "\"");
        }
        String transport = service.substring(0, colon);
        String address = service.substring(colon + 1);
        return switch (transport) {
            case "inet" -> parseHostPort(address, service);
            case "unix", "local" -> new Endpoint(service, StandardProtocolFamily.UNIX, address, 0);
            default -> throw new IllegalArgumentException("invalid transport name: " + transport + " in service: " + service
                    + " (use inet:host:port or unix:/path)");
        };
    }

    /** {@code host:port} or {@code [host]:port}; the port is a number or a service name from /etc/services. */
    public static Endpoint parseHostPort(String address) throws IllegalArgumentException {
        return parseHostPort(address, address);
    }

    private static Endpoint parseHostPort(String address, String text) {
        String host;
        String port;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0 || close + 1 >= address.length() || address.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("bad address \"" + address + "\": need [host]:port");
            }
            host = address.substring(1, close);
            port = address.substring(close + 2);
        } else {
            int colon = address.lastIndexOf(':');
            if (colon < 0) throw new IllegalArgumentException("bad address \"" + address + "\": need host:port");
            host = address.substring(0, colon);
            port = address.substring(colon + 1);
        }
        if (host.isEmpty()) host = "localhost";
        return new Endpoint(text, StandardProtocolFamily.INET, host, port(port, address));
    }

    private static int port(String port, String address) {
        if (!port.isEmpty() && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int p = port.length() > 5 ? -1 : Integer.parseInt(port);
            if (p >= 0 && p <= 65535) return p;
        } else if (!port.isEmpty()) {
            Integer known = Services.port(port);
            if (known != null) return known;
            throw new IllegalArgumentException("unknown service: " + port + "/tcp in \"" + address + "\"");
        }
        throw new IllegalArgumentException("bad port \"" + port + "\" in \"" + address + "\"");
    }

    /** The socket address; INET names are resolved here, at connect time. */
    SocketAddress address() {
        return family == StandardProtocolFamily.UNIX ? UnixDomainSocketAddress.of(host) : new InetSocketAddress(host, port);
    }

    @Override
    public String toString() { return text; }

    /** Port names from /etc/services, as getservbyname() knows them. */
    private static final class Services {
        private static final java.util.Map<String, Integer> TCP = load();

        static Integer port(String name) { return TCP.get(name); }

        private static java.util.Map<String, Integer> load() {
            java.util.Map<String, Integer> m = new java.util.HashMap<>();
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/etc/services"))) {
                    String[] f = line.replaceFirst("#.*", "").trim().split("\\s+");
                    if (f.length < 2 || !f[1].endsWith("/tcp")) continue;
                    int port = Integer.parseInt(f[1].substring(0, f[1].indexOf('/')));
                    for (int i = 0; i < f.length; i++) if (i != 1) m.putIfAbsent(f[i], port);
                }
            } catch (java.io.IOException | RuntimeException e) {
                // no /etc/services: numeric ports only
            }
            return m;
        }
    }
}
