package org.proxymap.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Process-wide operator counters, updated on the request path without locks. */
public final class ServerCounters {
    public static final String[] REQUESTS = {"open", "lookup", "update", "delete", "sequence", "other"};

    public final LongAdder connectionsAccepted = new LongAdder();
    public final AtomicInteger connectionsActive = new AtomicInteger();
    public final AtomicInteger connectionsPeak = new AtomicInteger();
    public final LongAdder[] requests = adders(REQUESTS.length);
    public final LongAdder[] replies = adders(6);
    public final LongAdder denied = new LongAdder();
    public final LongAdder malformed = new LongAdder();
    public final LongAdder deadlineExpiries = new LongAdder();
    public final LongAdder idleTimeouts = new LongAdder();
    /** requests per dialect: index 0 = A/B (flags only), 1 = C (instance_flags) */
    public final LongAdder[] dialectRequests = adders(2);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) a[i] = new LongAdder();
        return a;
    }

    void connected() {
        connectionsAccepted.increment();
        int now = connectionsActive.incrementAndGet();
        connectionsPeak.accumulateAndGet(now, Math::max);
    }

    /** Refused requests per table name; bounded, since clients choose the names. */
    public final java.util.concurrent.ConcurrentHashMap<String, LongAdder> deniedByTable =
            new java.util.concurrent.ConcurrentHashMap<>();
    static final int MAX_DENIED_NAMES = 1000;

    /** Counts one refused request for {@code table} (as the client named it, without proxy:). */
    public void denied(String table) {
        denied.increment();
        LongAdder a = deniedByTable.get(table);
        if (a == null && deniedByTable.size() < MAX_DENIED_NAMES) a = deniedByTable.computeIfAbsent(table, t -> new LongAdder());
        if (a != null) a.increment();
    }

    void disconnected() { connectionsActive.decrementAndGet(); }

    static int requestIndex(String request) {
        for (int i = 0; i < REQUESTS.length - 1; i++) if (REQUESTS[i].equals(request)) return i;
        return REQUESTS.length - 1;
    }
}
