package org.proxymap.server;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.proxymap.protocol.Status;

/** Process-wide operator counters, updated on the request path without locks. */
public final class ServerCounters {
    public final LongAdder connectionsAccepted = new LongAdder();
    public final AtomicInteger connectionsActive = new AtomicInteger();
    public final AtomicInteger connectionsPeak = new AtomicInteger();
    /** requests per op, and those whose name Postfix does not know */
    public final Map<Op, LongAdder> requests = adders(Op.class);
    public final LongAdder unknownRequests = new LongAdder();
    /** replies per status code ({@link Status}), index = code */
    public final LongAdder[] replies = adders(Status.COUNT);
    public final LongAdder denied = new LongAdder();
    public final LongAdder malformed = new LongAdder();
    public final LongAdder deadlineExpiries = new LongAdder();
    public final LongAdder idleTimeouts = new LongAdder();
    /** accept() failures, e.g. EMFILE when the process is out of file descriptors */
    public final LongAdder acceptFailures = new LongAdder();
    /** unexpected exceptions on the request path (bugs): the connection was closed */
    public final LongAdder internalErrors = new LongAdder();
    /** times the watchdog found the whole process stalled (and paused deadlines for it) */
    public final LongAdder stalls = new LongAdder();
    /** a stall this long is logged, and monitoring (proxymapctl health) calls it critical */
    static final long LONG_STALL_NANOS = 1_000_000_000L;
    /** when the latest stall, and the latest long one, ended (epoch ms; 0: none) */
    public volatile long lastStallMillis;
    public volatile long lastLongStallMillis;
    public final Map<Dialect, LongAdder> dialectRequests = adders(Dialect.class);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) a[i] = new LongAdder();
        return a;
    }

    private static <E extends Enum<E>> Map<E, LongAdder> adders(Class<E> keys) {
        EnumMap<E, LongAdder> m = new EnumMap<>(keys);
        for (E k : keys.getEnumConstants()) m.put(k, new LongAdder());
        return Collections.unmodifiableMap(m);
    }

    /** Counts one request; a null op is one whose name Postfix does not know (no dialect then). */
    void request(Op op, Dialect dialect) {
        if (op == null) {
            unknownRequests.increment();
            return;
        }
        requests.get(op).increment();
        dialectRequests.get(dialect).increment();
    }

    void reply(int status) { replies[status].increment(); }

    void connected() {
        connectionsAccepted.increment();
        int now = connectionsActive.incrementAndGet();
        connectionsPeak.accumulateAndGet(now, Math::max);
    }

    /** Refused requests per table name; bounded, since clients choose the names. */
    public final ConcurrentHashMap<String, LongAdder> deniedByTable = new ConcurrentHashMap<>();
    static final int MAX_DENIED_NAMES = 1000;

    /** Counts one refused request for {@code table} (as the client named it, without proxy:). */
    public void denied(String table) {
        denied.increment();
        LongAdder a = deniedByTable.get(table);
        if (a == null && deniedByTable.size() < MAX_DENIED_NAMES) a = deniedByTable.computeIfAbsent(table, t -> new LongAdder());
        if (a != null) a.increment();
    }

    void stalled(long nanos) {
        stalls.increment();
        lastStallMillis = System.currentTimeMillis();
        if (nanos >= LONG_STALL_NANOS) lastLongStallMillis = lastStallMillis;
    }

    void disconnected() { connectionsActive.decrementAndGet(); }
}
