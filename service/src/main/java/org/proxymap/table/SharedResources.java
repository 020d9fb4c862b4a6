package org.proxymap.table;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reference-counted resources shared between table instances, such as one database pool
 * per target. A resource lives while any table holds it, so a reload that keeps a table
 * keeps its pool, and the last release closes it.
 */
public final class SharedResources implements AutoCloseable {
    private record Entry(AutoCloseable resource, int[] refs) {}

    private final Map<String, Entry> entries = new HashMap<>();
    private volatile Runnable changed = () -> {};

    /** {@code listener} runs, outside this object's lock, after a resource was created or closed. */
    void onChange(Runnable listener) { changed = listener; }

    /** Returns the resource for {@code key}, creating it on first use; pair with {@link #release}. */
    @SuppressWarnings("unchecked")
    public <T extends AutoCloseable> T acquire(String key, Supplier<T> create) {
        boolean created = false;
        T resource;
        synchronized (this) {
            Entry e = entries.get(key);
            if (e == null) {
                e = new Entry(create.get(), new int[1]);
                entries.put(key, e);
                created = true;
            }
            e.refs[0]++;
            resource = (T) e.resource;
        }
        if (created) changed.run();
        return resource;
    }

    public void release(String key) {
        boolean closed = false;
        synchronized (this) {
            Entry e = entries.get(key);
            if (e != null && --e.refs[0] == 0) {
                entries.remove(key);
                closeQuietly(e.resource);
                closed = true;
            }
        }
        if (closed) changed.run();
    }

    /** Every live resource, e.g. for JMX. */
    public synchronized Map<String, AutoCloseable> snapshot() {
        Map<String, AutoCloseable> m = new HashMap<>();
        entries.forEach((k, v) -> m.put(k, v.resource));
        return m;
    }

    @Override
    public synchronized void close() {
        entries.values().forEach(e -> closeQuietly(e.resource));
        entries.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing at shutdown or after the last user: nothing left to tell
        }
    }
}
