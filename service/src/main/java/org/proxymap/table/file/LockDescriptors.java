package org.proxymap.table.file;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.proxymap.ffm.Flock;

/**
 * Descriptors of one table file, each its own open file description, so that concurrent
 * lookups each take and drop their own flock(): a flock belongs to the open file description,
 * so one lookup's unlock on a descriptor they shared would drop the others' lock. Locking
 * outside the table's lock keeps that lock's hold to the library call itself. At most
 * {@link #MAX} stay open between calls; more callers at once each get one opened for the
 * call. A caller gets none only when the file cannot be opened by its name (removed). After
 * the table re-opened a replaced file ({@link #renew}), descriptors of the old file are closed
 * as they come back.
 */
final class LockDescriptors {
    static final int MAX = 64;
    private final Path file;
    private final ConcurrentLinkedDeque<Entry> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger generation = new AtomicInteger();
    private volatile boolean closed;

    /** One descriptor, and the file generation it was opened in. */
    record Entry(Flock.Held held, int generation) {
        int fd() { return held.fd(); }
    }

    LockDescriptors(Path file) {
        this.file = file;
    }

    /** A descriptor of the current file, or null when the file cannot be opened (removed). */
    Entry take() {
        Entry e;
        while ((e = idle.pollFirst()) != null) {
            if (e.generation == generation.get()) return e;
            discard(e);
        }
        open.incrementAndGet();
        try {
            return new Entry(Flock.open(file), generation.get());
        } catch (IOException | RuntimeException x) {
            open.decrementAndGet();
            return null;
        }
    }

    /** Back from a caller, its lock released. */
    void give(Entry e) {
        if (closed || e.generation != generation.get() || open.get() > MAX) {
            discard(e);
            return;
        }
        idle.offerFirst(e);
        if (closed) drain(); // closed meanwhile
    }

    /** The table now reads another file under the name: the descriptors of the old one go. */
    void renew() {
        generation.incrementAndGet();
        drain();
    }

    /** Open descriptors, idle or in use (for tests). */
    int open() { return open.get(); }

    void close() {
        closed = true;
        drain();
    }

    private void drain() {
        Entry e;
        while ((e = idle.pollFirst()) != null) discard(e);
    }

    private void discard(Entry e) {
        e.held().close();
        open.decrementAndGet();
    }
}
