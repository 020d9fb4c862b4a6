package org.proxymap.table.memcache;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.TableException;
import org.proxymap.table.sql.DomainList;
import org.proxymap.table.LogLimiter;

/**
 * One memcache table: Postfix's {@code dict_memcache.c}. A lookup asks memcache first; a
 * miss, or a memcache that fails, falls through to the backup table when there is one, and a
 * backup hit is written back to memcache. Updates and deletes (proxywrite) go to memcache
 * first, then to the backup, whose result and error win. Without a backup a memcache error
 * is RETRY. {@code sequence} is the backup's.
 *
 * <p>Each request gets {@code max_try} attempts, {@code retry_pause} apart, each bounded by
 * {@code timeout}; a failed connection is dropped and reconnected, and a refused connect ends
 * the attempts at once, as Postfix's auto_clnt does. Lookups run in parallel on a few
 * connections (Postfix: one per proxymap process).
 */
final class MemcacheTable implements LookupTable {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final LogLimiter limited = new LogLimiter(10_000);

    private final MemcacheConfig cf;
    private final String fullName;
    private final DomainList domain;
    private final LookupTable backup;
    private final ConcurrentLinkedDeque<MemcacheConnection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    MemcacheTable(MemcacheConfig cf, DomainList domain, LookupTable backup) {
        this.cf = cf;
        this.fullName = "memcache:" + cf.name();
        this.domain = domain;
        this.backup = backup;
    }

    @Override
    public int implFlags() { return DictFlags.FIXED; }

    /** A memcache operation that failed after every try. */
    private static final class Failed extends Exception {
        Failed(String message) { super(message, null, false, false); }
    }

    /**
     * The memcache key for {@code name}, or null when Postfix skips the name: empty, outside
     * {@code domain}, an empty {@code key_format} expansion, or a key with ASCII white space.
     * With {@code key_digest}, the expansion's digest in lowercase hex (Postfix 3.11: after
     * key_format); the white-space test then sees the hex.
     */
    private String memcacheKey(String name, String operation, boolean noisy) throws TableException {
        String why = null;
        String key = null;
        if (name.isEmpty()) {
            why = "empty lookup key";
        } else if (domain != null && !domainMatches(name)) {
            why = "domain mismatch";
        } else {
            key = "%s".equals(cf.keyFormat()) ? name : cf.keyTemplate().expandQuery(name, s -> s);
            if (key == null || key.isEmpty()) {
                why = "empty lookup key expansion";
            } else {
                if (cf.keyDigest() != null) key = digest(cf.keyDigest(), key);
                for (int i = 0; i < key.length(); i++) {
                    char c = key.charAt(i);
                    if (c == ' ' || (c >= '\t' && c <= '\r')) {
                        why = "name contains space";
                        break;
                    }
                }
            }
        }
        if (why == null) return key;
        String message = cf.name() + ": skipping " + operation + " for name \"" + name + "\": " + why;
        if (noisy) log.warn(message);
        else log.debug(message);
        return null;
    }

    /** Lowercase hex of the digest of {@code key}'s bytes (ISO-8859-1: the bytes as the client sent them). */
    static String digest(String algorithm, String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                    .digest(key.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e); // MemcacheConfig names only the JDK's own
        }
    }

    private boolean domainMatches(String name) throws TableException {
        int at = name.lastIndexOf('@');
        if (at <= 0 || at == name.length() - 1) return false;
        return domain.matches(name.substring(at + 1));
    }

    @Override
    public String lookup(String name) throws TableException {
        String key = memcacheKey(name, "lookup", false);
        if (key == null) return null;
        String value = null;
        Failed failed = null;
        try {
            value = get(key);
        } catch (Failed f) {
            failed = f;
        }
        if (backup == null) {
            if (failed != null) throw TableException.retry(fullName + ": " + failed.getMessage());
            return value;
        }
        if (value == null) {
            value = backup.lookup(name);
            if (value != null) {
                try {
                    set(key, value);
                } catch (Failed f) {
                    // Postfix ignores a failed write-back: the backup answered
                }
            }
        }
        return value;
    }

    /**
     * Postfix: a name it skips, or a value too long for memcache without a backup, is "not
     * stored" (NOKEY, with a warning); a memcache error without a backup is RETRY.
     */
    @Override
    public void update(String name, String value) throws TableException {
        String key = memcacheKey(name, "update", true);
        if (key == null) throw TableException.noKey(fullName + ": update skipped for name \"" + name + "\"");
        boolean stored = false;
        Failed failed = null;
        try {
            stored = set(key, value);
        } catch (Failed f) {
            failed = f;
        }
        if (backup != null) {
            backup.update(name, value);
        } else if (failed != null) {
            throw TableException.retry(fullName + ": " + failed.getMessage());
        } else if (!stored) {
            throw TableException.noKey(fullName + ": value for " + key + " longer than data_size_limit, not stored");
        }
    }

    @Override
    public boolean delete(String name) throws TableException {
        String key = memcacheKey(name, "delete", false);
        if (key == null) return false;
        boolean deleted = false;
        Failed failed = null;
        try {
            deleted = del(key);
        } catch (Failed f) {
            failed = f;
        }
        if (backup != null) return backup.delete(name);
        if (failed != null) throw TableException.retry(fullName + ": " + failed.getMessage());
        return deleted;
    }

    /** For {@code check} mode: one get of a key no table holds, then the backup's lookup of it. */
    void probe() throws TableException {
        try {
            get("proxymap-check-probe");
        } catch (Failed f) {
            throw TableException.retry(fullName + ": " + f.getMessage());
        }
        if (backup != null) backup.lookup("proxymap-check-probe");
    }

    @Override
    public Iterator<Map.Entry<String, String>> entries() throws TableException {
        if (backup == null) {
            limited.warn(fullName + " sequence", "database " + fullName + ": first/next support requires backup database");
            return Collections.emptyIterator();
        }
        return backup.entries();
    }

    /** One request/reply exchange; an IOException drops the connection and counts as a failed try. */
    private interface Exchange<T> {
        T run(MemcacheConnection c) throws IOException, Unexpected;
    }

    /** A reply that is not what the request expects. */
    private static final class Unexpected extends Exception {
        Unexpected(String message) { super(message, null, false, false); }
    }

    /** Postfix's try loop: up to max_try tries, retry_pause apart; a failed connect ends it. */
    private <T> T attempt(String what, Exchange<T> exchange) throws Failed {
        String last = null;
        for (int count = 0; count < cf.maxTry(); count++) {
            if (count > 0) pause();
            MemcacheConnection c = idle.pollFirst();
            if (c == null) {
                try {
                    c = MemcacheConnection.open(resolve(cf.address()), cf.timeoutSeconds() * 1000L);
                } catch (IOException | RuntimeException e) {
                    String m = "connect to " + cf.memcache() + ": " + describe(e);
                    limited.warn(fullName + " connect", "database " + fullName + ": " + m);
                    throw new Failed(m);
                }
            }
            c.deadline(cf.timeoutSeconds() * 1000L);
            try {
                T result = exchange.run(c);
                release(c);
                return result;
            } catch (IOException e) {
                last = "I/O error: " + describe(e);
            } catch (Unexpected e) {
                last = e.getMessage();
            }
            c.close(); // auto_clnt_recover: the next try reconnects
            if (count > 0) limited.warn(fullName + " " + what, "database " + fullName + ": " + what + ": " + last);
        }
        throw new Failed(what + " failed after " + cf.maxTry() + " tries: " + last);
    }

    private void pause() throws Failed {
        try {
            Thread.sleep(cf.retryPauseSeconds() * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted");
        }
    }

    private void release(MemcacheConnection c) {
        if (closed.get() || !c.isOpen()) c.close();
        else idle.offerFirst(c);
    }

    private static SocketAddress resolve(SocketAddress a) {
        return a instanceof InetSocketAddress i && i.isUnresolved() ? new InetSocketAddress(i.getHostString(), i.getPort()) : a;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private String get(String key) throws Failed {
        Holder h = attempt("get", c -> {
            c.writeLine("get " + key);
            String line = c.readLine(cf.lineSizeLimit());
            if (line.equals("END")) return null;
            long todo = valueLength(line);
            if (todo < 0 || todo > cf.dataSizeLimit()) {
                throw new Unexpected("unexpected memcache server reply: " + (line.length() > 30 ? line.substring(0, 30) : line));
            }
            String value = c.readData((int) todo);
            String end;
            try {
                end = c.readLine(cf.lineSizeLimit());
            } catch (IOException e) {
                end = null;
            }
            if (!"END".equals(end)) c.close(); // the value counts; the connection does not
            return new Holder(value);
        });
        return h == null ? null : h.value();
    }

    /** A value from {@link #get}: null is a miss. */
    private record Holder(String value) {}

    /** {@code sscanf(line, "VALUE %*s %*s %ld")}: the length, or -1 when the line does not parse. */
    static long valueLength(String line) {
        if (!line.startsWith("VALUE")) return -1;
        String[] t = line.substring(5).strip().split("[ \\t\\n\\v\\f\\r]+");
        if (t.length < 3) return -1;
        String n = t[2];
        int i = 0;
        boolean negative = false;
        if (i < n.length() && (n.charAt(i) == '-' || n.charAt(i) == '+')) negative = n.charAt(i++) == '-';
        int start = i;
        long v = 0;
        while (i < n.length() && Character.isDigit(n.charAt(i)) && v < Integer.MAX_VALUE) v = v * 10 + (n.charAt(i++) - '0');
        if (i == start) return -1;
        return negative ? -v : v;
    }

    /** @return false when the value is longer than data_size_limit: not stored, as Postfix, with a warning */
    private boolean set(String key, String value) throws Failed {
        if (value.length() > cf.dataSizeLimit()) {
            limited.warn(fullName + " too long", "database " + fullName + ": data for key " + key + " is too long ("
                    + "data_size_limit=" + cf.dataSizeLimit() + ") -- not stored");
            return false;
        }
        attempt("update", c -> {
            c.writeLine("set " + key + " " + cf.flags() + " " + cf.ttl() + " " + value.length());
            c.writeData(value);
            String line = c.readLine(cf.lineSizeLimit());
            if (!line.equals("STORED")) throw new Unexpected("update failed: " + (line.length() > 30 ? line.substring(0, 30) : line));
            return Boolean.TRUE;
        });
        return true;
    }

    private boolean del(String key) throws Failed {
        return attempt("delete", c -> {
            c.writeLine("delete " + key);
            String line = c.readLine(cf.lineSizeLimit());
            if (line.equals("DELETED")) return Boolean.TRUE;
            if (line.equals("NOT_FOUND")) return Boolean.FALSE;
            throw new Unexpected("delete failed: " + (line.length() > 30 ? line.substring(0, 30) : line));
        });
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        MemcacheConnection c;
        while ((c = idle.pollFirst()) != null) c.close();
        if (domain != null) domain.close();
        if (backup != null) backup.close();
    }
}
