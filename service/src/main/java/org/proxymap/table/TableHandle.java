package org.proxymap.table;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open table instance in the registry: the table, what it was opened as, its counters,
 * and a count of requests in flight so that a replaced instance is closed only after its
 * last request has finished.
 */
public final class TableHandle {
    private final String type;
    private final String name;
    private final boolean writable;
    private final int instanceFlags;
    private final LookupTable table;
    private final long openedMillis = System.currentTimeMillis();
    private final TableCounters counters = new TableCounters();
    /** in-flight requests, plus one while the handle is live in the registry */
    private final AtomicInteger refs = new AtomicInteger(1);

    TableHandle(String type, String name, boolean writable, int instanceFlags, LookupTable table) {
        this.type = type;
        this.name = name;
        this.writable = writable;
        this.instanceFlags = instanceFlags;
        this.table = table;
    }

    public String type() { return type; }
    /** The table name as approved and sent by clients, {@code type:name}. */
    public String fullName() { return type + ":" + name; }
    public String name() { return name; }
    public boolean writable() { return writable; }
    public int instanceFlags() { return instanceFlags; }
    public LookupTable table() { return table; }
    public long openedMillis() { return openedMillis; }
    public TableCounters counters() { return counters; }
    public boolean isSurrogate() { return table instanceof SurrogateTable; }

    /** @return false when the handle was retired meanwhile: look it up again */
    boolean acquire() {
        int r;
        do {
            r = refs.get();
            if (r <= 0) return false;
        } while (!refs.compareAndSet(r, r + 1));
        return true;
    }

    /** Ends one request; the last release of a retired handle closes the table. */
    public void release() {
        if (refs.decrementAndGet() == 0) table.close();
    }

    /** Removes the registry's reference: the table closes when in-flight requests are done. */
    void retire() { release(); }
}
