package org.proxymap.table.memcache;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.function.Function;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.sql.CfgParser;
import org.proxymap.table.sql.Templates;

/**
 * One memcache_table(5) definition, with Postfix's names and defaults
 * ({@code dict_memcache_open()}): {@code memcache = inet:localhost:11211}, {@code backup},
 * {@code key_format = %s}, {@code domain}, {@code ttl = 3600}, {@code flags = 0},
 * {@code timeout = 2}, {@code max_try = 2}, {@code retry_pause = 1},
 * {@code line_size_limit = 1024}, {@code data_size_limit = 10240}.
 */
record MemcacheConfig(String name, String memcache, SocketAddress address, String backup, String keyFormat,
                      Templates keyTemplate, String domain, int ttl, int flags, int timeoutSeconds, int maxTry,
                      int retryPauseSeconds, int lineSizeLimit, int dataSizeLimit, String keyDigest, String keyDigestWhere) {
    static final String DEFAULT_MEMCACHE = "inet:localhost:11211";
    /** what {@code timeout = 0} (no limit in Postfix) means here: a server that never answers must not hold a lookup forever */
    static final int NO_TIMEOUT_SECONDS = 100;

    static MemcacheConfig load(String name, Function<String, String> mainCf) throws TableOpenException {
        CfgParser p = CfgParser.load(name, mainCf);
        String keyFormat = p.str("key_format", "%s", 0);
        Templates t;
        try {
            t = new Templates(keyFormat, "%s");
        } catch (Templates.BadTemplate e) {
            throw p.fatal("key_format", e.getMessage().replace("query template", "key_format template"));
        }
        int timeout = p.integer("timeout", 2, 0);
        int ttl = p.integer("ttl", 3600, 0);
        int flags = p.integer("flags", 0, 0);
        int pause = p.integer("retry_pause", 1, 1);
        int maxTry = p.integer("max_try", 2, 1);
        int line = p.integer("line_size_limit", 1024, 1);
        int data = p.integer("data_size_limit", 10240, 1);
        String memcache = p.str("memcache", DEFAULT_MEMCACHE, 0);
        SocketAddress address;
        try {
            address = address(memcache);
        } catch (IllegalArgumentException e) {
            throw p.fatal("memcache", "memcache = " + memcache + ": " + e.getMessage()
                    + "; use inet:host:port, inet:[ipv6]:port or unix:/path/name");
        }
        return new MemcacheConfig(name, memcache, address, p.strOrNull("backup"), keyFormat, t, p.str("domain", "", 0),
                ttl, flags, timeout == 0 ? NO_TIMEOUT_SECONDS : timeout, maxTry, pause, line, data,
                p.strOrNull("key_digest"), p.where("key_digest"));
    }

    /** {@code inet:host:port}, {@code inet:[v6]:port} or {@code unix:/path}, as Postfix's auto_clnt takes them. */
    static SocketAddress address(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) throw new IllegalArgumentException("need transport:endpoint");
        String transport = spec.substring(0, colon);
        String endpoint = spec.substring(colon + 1);
        switch (transport) {
            case "unix", "local" -> {
                return UnixDomainSocketAddress.of(endpoint);
            }
            case "inet" -> {
                String host;
                String port;
                if (endpoint.startsWith("[")) {
                    int close = endpoint.indexOf(']');
                    if (close < 0 || close + 1 >= endpoint.length() || endpoint.charAt(close + 1) != ':') {
                        throw new IllegalArgumentException("bad [address]:port");
                    }
                    host = endpoint.substring(1, close);
                    port = endpoint.substring(close + 2);
                } else {
                    int c = endpoint.lastIndexOf(':');
                    if (c < 0) throw new IllegalArgumentException("missing port");
                    host = endpoint.substring(0, c);
                    port = endpoint.substring(c + 1);
                }
                int n;
                try {
                    n = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad port \"" + port + "\"");
                }
                if (n <= 0 || n > 65535) throw new IllegalArgumentException("bad port " + n);
                return InetSocketAddress.createUnresolved(host.isEmpty() ? "localhost" : host, n);
            }
            default -> throw new IllegalArgumentException("invalid transport name: " + transport);
        }
    }
}
