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
 * {@code tcp:host:port} (tcp_table(5), dict_tcp.c): the request is {@code get KEY\n} with the
 * key %XX-quoted, the reply {@code NNN TEXT\n} with the text %XX-quoted. 2xx is found, 5xx is
 * not found, 4xx and anything malformed answer RETRY and drop the connection. A reply that does
 * not end in a newline within {@code maxReply} bytes, or does not come at all, drops the
 * connection and the request is sent again: after {@code maxTry} tries, {@code pause} apart,
 * the lookup answers RETRY. A pattern table (keys are folded with FOLD_MUL).
 */
public final class TcpType extends SocketTableType {
    /** Postfix's limits (dict_tcp.c), which no parameter changes. */
    public record Limits(Duration timeout, int maxReply, int maxTry, Duration pause) {
        public static final Limits POSTFIX = new Limits(Duration.ofSeconds(100), 4096, 10, Duration.ofSeconds(1));
    }

    private static final LogLimiter WARNINGS = new LogLimiter(1000);
    /** Postfix's connection lives until an error: no idle or age limit. */
    private static final Duration FOREVER = Duration.ofDays(365L * 100);
    private final Limits limits;

    public TcpType() { this(Limits.POSTFIX); }

    /** For tests: other limits than Postfix's. */
    public TcpType(Limits limits) {
        super(limits.timeout());
        this.limits = limits;
    }

    @Override
    public String name() { return "tcp"; }

    @Override
    Endpoint endpoint(String name) throws TableOpenException {
        try {
            return Endpoint.parseHostPort(name);
        } catch (IllegalArgumentException e) {
            throw new TableOpenException("tcp:" + name + ": " + e.getMessage() + "; use tcp:host:port");
        }
    }

    @Override
    String server() { return "tcp_table"; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) throw TableOpenException.readOnly("tcp", name);
        return new TcpTable(name, new ConnectionPool(endpoint(name), limits.timeout(), FOREVER, FOREVER), limits);
    }

    static final class TcpTable implements LookupTable {
        private final String name;
        private final ConnectionPool pool;
        private final Limits limits;

        TcpTable(String name, ConnectionPool pool, Limits limits) {
            this.name = name;
            this.pool = pool;
            this.limits = limits;
        }

        @Override
        public int implFlags() { return DictFlags.PATTERN; }

        @Override
        public String lookup(String key) throws TableException {
            byte[] request = ("get " + HexQuote.quote(key) + "\n").getBytes(StandardCharsets.ISO_8859_1);
            TimedChannel c = null;
            String line = null;
            for (int tries = 0; line == null; ) {
                try {
                    c = tries == 0 ? pool.borrow() : pool.fresh();
                } catch (IOException e) {
                    WARNINGS.warn(name, "connect to TCP map " + name + ": " + reason(e));
                    c = null;
                }
                if (c != null) {
                    try {
                        c.write(request);
                        line = readLine(c);
                    } catch (IOException e) {
                        WARNINGS.warn(name, "read TCP map reply from " + name + ": " + (e instanceof ReplyTooLong
                                ? "text longer than " + limits.maxReply() : "unexpected EOF (" + reason(e) + ")"));
                        c.close();
                    }
                }
                if (line == null) {
                    if (++tries >= limits.maxTry()) {
                        throw TableException.retry("tcp:" + name + ": no reply after " + tries + " tries");
                    }
                    pause();
                }
            }
            int nul = line.indexOf('\0');
            if (nul >= 0) line = line.substring(0, nul); // Postfix reads the reply as a C string
            String value = line.length() >= 4 && digit(line.charAt(0)) && digit(line.charAt(1)) && digit(line.charAt(2))
                    && isSpace(line.charAt(3)) ? HexQuote.unquote(line.substring(4)) : null;
            if (value == null) throw drop(c, name, "read TCP map reply from " + name + ": malformed reply: " + excerpt(line));
            switch (line.charAt(0)) {
                case '2' -> {
                    pool.giveBack(c);
                    nul = value.indexOf('\0');
                    return nul >= 0 ? value.substring(0, nul) : value;
                }
                case '5' -> {
                    pool.giveBack(c);
                    return null;
                }
                case '4' -> {
                    c.close();
                    throw TableException.retry("tcp:" + name + ": soft error: " + excerpt(line));
                }
                default -> throw drop(c, name, "read TCP map reply from " + name + ": bad status code: " + excerpt(line));
            }
        }

        private void pause() throws TableException {
            try {
                Thread.sleep(limits.pause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw TableException.retry("tcp:" + name + ": interrupted");
            }
        }

        private static TableException drop(TimedChannel c, String name, String message) {
            c.close();
            WARNINGS.warn(name, message);
            return TableException.retry(message);
        }

        private static String excerpt(String line) {
            String p = Printable.of(line, '_');
            return p.length() > 100 ? p.substring(0, 100) : p;
        }

        /** Postfix's vstring_get_nonl_bound(): a line of at most {@code maxReply} bytes counting its newline. */
        private String readLine(TimedChannel c) throws IOException {
            StringBuilder b = new StringBuilder();
            for (int n = 0; n < limits.maxReply(); n++) {
                int ch = c.read();
                if (ch == '\n') return b.toString();
                b.append((char) ch);
            }
            throw new ReplyTooLong();
        }

        private static boolean digit(char c) { return c >= '0' && c <= '9'; }

        /** C isspace() in the C locale. */
        private static boolean isSpace(char c) { return c == ' ' || c >= '\t' && c <= '\r'; }

        @Override
        public void close() { pool.close(); }
    }

    /** The reply's line did not end within the limit. */
    private static final class ReplyTooLong extends IOException {
        ReplyTooLong() { super("text too long", null); }
    }
}
