package org.proxymap.table.memcache;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Locale;
import java.util.function.Function;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.sql.CfgParser;
import org.proxymap.table.sql.Templates;

/**
 * One memcache_table(5) definition, with Postfix's names and defaults
 * ({@code dict_memcache_open()}): {@code memcache = inet:localhost:11211}, {@code backup},
 * {@code key_format = %s}, {@code domain}, {@code ttl = 3600}, {@code flags = 0},
 * {@code timeout = 2}, {@code max_try = 2}, {@code retry_pause = 1},
 * {@code line_size_limit = 1024}, {@code data_size_limit = 10240}, and Postfix 3.11's
 * {@code key_digest} (unset: keys as they are).
 */
record MemcacheConfig(String name, String memcache, SocketAddress address, String backup, String keyFormat,
                      Templates keyTemplate, String domain, int ttl, int flags, int timeoutSeconds, int maxTry,
                      int retryPauseSeconds, int lineSizeLimit, int dataSizeLimit, String keyDigest) {
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
        String digest = p.str("key_digest", "", 0);
        String algorithm = null;
        if (!digest.isEmpty()) {
            algorithm = digestAlgorithm(digest);
            if (algorithm == null) {
                throw p.fatal("key_digest", "unsupported key_digest = " + digest + "; use one of md5, sha1, sha224, sha256,"
                        + " sha384, sha512, sha512-224, sha512-256, sha3-224, sha3-256, sha3-384, sha3-512 (OpenSSL's names)");
            }
        }
        return new MemcacheConfig(name, memcache, address, p.strOrNull("backup"), keyFormat, t, p.str("domain", "", 0),
                ttl, flags, timeout == 0 ? NO_TIMEOUT_SECONDS : timeout, maxTry, pause, line, data, algorithm);
    }

    /**
     * The JDK's name of the OpenSSL digest {@code name} (as EVP_get_digestbyname() takes it:
     * any case, with OpenSSL 3's aliases such as SHA2-256 and SHA-256), or null for one the
     * JDK has not (blake2, sm3, ripemd160, shake).
     */
    static String digestAlgorithm(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("sha2-", "sha").replace("sha-", "sha").replace('/', '-');
        return switch (n) {
            case "md5" -> "MD5";
            case "sha1" -> "SHA-1";
            case "sha224", "sha256", "sha384", "sha512" -> "SHA-" + n.substring(3);
            case "sha512-224", "sha512-256" -> "SHA-512/" + n.substring(7);
            case "sha3-224", "sha3-256", "sha3-384", "sha3-512" -> n.toUpperCase(Locale.ROOT);
            default -> null;
        };
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
