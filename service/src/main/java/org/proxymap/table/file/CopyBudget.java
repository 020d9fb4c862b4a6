package org.proxymap.table.file;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap all {@link ResidentCopy} instances of the process may hold together: a quarter of
 * the heap's maximum, so that copies of many or big hash:/btree: files never crowd out the
 * requests and the other tables (a table that finds no room reads its file at each lookup, as
 * it would without a copy). Each copy reserves twice its file's size and gives it back when
 * it is dropped: its keys and values plus 24 to 32 bytes per entry ({@link Latin1Map}'s
 * offsets and index) stay within that, and so does the peak while it is read (the arrays
 * grow by doubling), even for entries so small that a Berkeley DB page holds them in less.
 */
final class CopyBudget {
    static final CopyBudget PROCESS = new CopyBudget(Runtime.getRuntime().maxMemory() / 4);
    private final long limit;
    private final AtomicLong reserved = new AtomicLong();

    CopyBudget(long limit) {
        this.limit = limit;
    }

    /** What a copy of a file of {@code fileSize} bytes reserves. */
    static long forFile(long fileSize) { return 2 * fileSize; }

    /** Takes {@code bytes} of the budget; false, taking nothing, when they do not fit. */
    boolean reserve(long bytes) {
        for (long r = reserved.get(); ; r = reserved.get()) {
            if (r + bytes > limit) return false;
            if (reserved.compareAndSet(r, r + bytes)) return true;
        }
    }

    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    long limit() { return limit; }

    long reserved() { return reserved.get(); }
}
