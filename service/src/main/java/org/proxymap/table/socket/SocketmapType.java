package org.proxymap.table.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.LogLimiter;

/**
 * {@code socketmap:inet:host:port:name} and {@code socketmap:unix:/path:name}
 * (socketmap_table(5), dict_sockmap.c): the request is the netstring {@code "name key"}, the
 * reply the netstring {@code "OK value"}, {@code "NOTFOUND "}, or {@code "TEMP|TIMEOUT|PERM
 * reason"}. PERM answers a CONFIG error, everything else that is not OK or NOTFOUND answers
 * RETRY. A pattern table (keys are folded with FOLD_MUL). Connections to one server are shared
 * by every socketmap table naming it; a connection the server closed is retried once.
 */
public final class SocketmapType extends SocketTableType {
    /** Postfix's limits (dict_sockmap.c), which no parameter changes. */
    public record Limits(Duration timeout, int maxReply, Duration maxIdle, Duration maxTtl) {
        public static final Limits POSTFIX = new Limits(Duration.ofSeconds(100), 100_000, Duration.ofSeconds(10),
                Duration.ofSeconds(100));
    }

    private static final LogLimiter WARNINGS = new LogLimiter(1000);
    private final Limits limits;

    public SocketmapType() { this(Limits.POSTFIX); }

    /** For tests: other limits than Postfix's. */
    public SocketmapType(Limits limits) {
        super(limits.timeout());
        this.limits = limits;
    }

    @Override
    public String name() { return "socketmap"; }

    private record Parsed(Endpoint endpoint, String mapName) {}

    private static Parsed parse(String name) throws TableOpenException {
        int colon = name.lastIndexOf(':');
        if (colon < 0) {
            throw new TableOpenException("socketmap requires server:socketmap argument: \"socketmap:" + name
                    + "\"; use socketmap:inet:host:port:name or socketmap:unix:/path:name");
        }
        try {
            return new Parsed(Endpoint.parseService(name.substring(0, colon)), name.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new TableOpenException("socketmap:" + name + ": " + e.getMessage());
        }
    }

    @Override
    Endpoint endpoint(String name) throws TableOpenException { return parse(name).endpoint(); }

    @Override
    String server() { return "socketmap"; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) throw TableOpenException.readOnly("socketmap", name);
        Parsed p = parse(name);
        String key = "socketmap " + p.endpoint().text() + " " + limits;
        ConnectionPool pool = context.resources().acquire(key,
                () -> new ConnectionPool(p.endpoint(), limits.timeout(), limits.maxIdle(), limits.maxTtl()));
        return new SocketmapTable("socketmap:" + name, p.mapName(), pool, limits.maxReply(),
                () -> context.resources().release(key));
    }

    static final class SocketmapTable implements LookupTable {
        private final String fullName;
        private final byte[] prefix;
        private final ConnectionPool pool;
        private final int maxReply;
        private final Runnable release;

        SocketmapTable(String fullName, String mapName, ConnectionPool pool, int maxReply, Runnable release) {
            this.fullName = fullName;
            this.prefix = (mapName + " ").getBytes(StandardCharsets.ISO_8859_1);
            this.pool = pool;
            this.maxReply = maxReply;
            this.release = release;
        }

        @Override
        public int implFlags() { return DictFlags.PATTERN; }

        @Override
        public String lookup(String key) throws TableException {
            byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
            byte[] query = new byte[prefix.length + k.length];
            System.arraycopy(prefix, 0, query, 0, prefix.length);
            System.arraycopy(k, 0, query, prefix.length, k.length);
            byte[] reply;
            for (int attempt = 0; ; attempt++) {
                TimedChannel c;
                try {
                    c = attempt == 0 ? pool.borrow() : pool.fresh();
                } catch (IOException e) {
                    throw fail("table " + fullName + " lookup error: connect to " + pool.endpoint() + ": " + reason(e));
                }
                try {
                    Netstring.write(c, query);
                    reply = Netstring.read(c, maxReply);
                    pool.giveBack(c);
                    break;
                } catch (Netstring.NetstringException e) {
                    c.close();
                    // a server restart closes reused connections: try once more on a new one
                    if (attempt == 0 && e.error == Netstring.Error.EOF) continue;
                    throw fail("table " + fullName + " lookup error: " + e.error.text);
                }
            }
            return answer(new String(reply, StandardCharsets.ISO_8859_1));
        }

        /** The value for an OK reply, null for NOTFOUND; an error otherwise. */
        private String answer(String reply) throws TableException {
            int nul = reply.indexOf('\0');
            if (nul >= 0) reply = reply.substring(0, nul); // Postfix reads the reply as a C string
            int space = reply.indexOf(' ');
            String status = space < 0 ? reply : reply.substring(0, space);
            String payload = space < 0 ? null : reply.substring(space + 1);
            switch (status) {
                case "OK":
                    return payload; // "OK" alone: no value, "not found" (Postfix 3.7)
                case "NOTFOUND":
                    return null;
                default:
                    break;
            }
            String errorClass = switch (status) {
                case "TEMP" -> "temporary";
                case "TIMEOUT" -> "timeout";
                case "PERM" -> "permanent";
                default -> "unknown";
            };
            String reason = payload == null ? "" : payload.stripLeading();
            if (reason.length() > 200) reason = reason.substring(0, 200);
            String message = fullName + " socketmap server " + errorClass + " error"
                    + (reason.isEmpty() ? "" : ": " + Printable.of(reason, '?'));
            WARNINGS.warn(fullName + " " + status, message);
            throw status.equals("PERM") ? TableException.config(message) : TableException.retry(message);
        }

        private TableException fail(String message) {
            WARNINGS.warn(fullName, message);
            return TableException.retry(message);
        }

        @Override
        public void close() {
            release.run();
        }
    }
}
