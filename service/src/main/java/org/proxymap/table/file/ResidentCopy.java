package org.proxymap.table.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.proxymap.ffm.Flock;
import org.proxymap.ffm.OpenFileStatus;
import org.proxymap.table.db.BerkeleyDb;
import org.proxymap.table.db.Database;

/**
 * A read-only hash:/btree: file, whole, in memory: its table answers from here instead of
 * the library for as long as the file is exactly as it was read: no write through this
 * process's own proxywrite tables since ({@link #written}), and a statx() on a descriptor
 * of the copy's own (inode, size, mtime, ctime and links all unchanged) made within the last
 * {@link #CHECK_NANOS}: one system call a millisecond at most instead of one per lookup
 * (a system call costs about what the rest of the lookup does). A lookup that finds the file
 * changed goes to the library under the file's flock as before, which re-opens it; so
 * another process's change is seen within a millisecond, our own writes at once.
 *
 * <p>Read under a shared flock, so not while postmap writes, and only once the file has been
 * still for {@link #SETTLED_MILLIS} (its mtime and ctime that old when reading began): any
 * later write stamps a later ctime, whatever the granularity of the kernel's clock, so no
 * change can hide behind an equal stamp. The answers are the library's: the keys exactly as
 * stored (with or without their NUL, probed by the table's {@link TrailingNul}), the first of
 * duplicate keys as a get() returns it, values up to their first NUL.
 */
final class ResidentCopy implements AutoCloseable {
    static final long SETTLED_MILLIS = 1000;
    /** how long a check that found the file unchanged vouches for it */
    static final long CHECK_NANOS = 1_000_000;
    /** per file: updates and deletes made through this process's tables */
    private static final ConcurrentHashMap<Path, AtomicLong> WRITES = new ConcurrentHashMap<>();
    private final Flock.Held fd;
    /** what this copy took of {@link CopyBudget#PROCESS}, given back at close */
    private final long reserved;
    private final OpenFileStatus.Status stamp;
    private final Latin1Map map;
    private final AtomicLong writes;
    private final long writesWhenRead;
    /** currentTimeMillis when reading began */
    private final long readAtMillis;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** System.nanoTime() before the latest statx that found the file unchanged */
    private volatile long checkedAt;

    private ResidentCopy(Flock.Held fd, long reserved, long readAtMillis, OpenFileStatus.Status stamp, Latin1Map map,
                         AtomicLong writes, long writesWhenRead, long checkedAt) {
        this.fd = fd;
        this.readAtMillis = readAtMillis;
        this.reserved = reserved;
        this.stamp = stamp;
        this.map = map;
        this.writes = writes;
        this.writesWhenRead = writesWhenRead;
        this.checkedAt = checkedAt;
    }

    private static AtomicLong writesTo(Path file) {
        return WRITES.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new AtomicLong());
    }

    /** A table of this process updated or deleted in {@code file}: copies of it are out of date. */
    static void written(Path file) {
        writesTo(file).incrementAndGet();
    }

    /**
     * Reads {@code file} (a {@code dbType} file) if it is the version a table's handle has open
     * ({@code handleStamp}) and has settled. The copy owns {@code reserved} bytes of {@link
     * CopyBudget#PROCESS} from then on; without a copy they are given back here.
     *
     * @return the copy, or null when the file is not settled yet or not the handle's version
     */
    static ResidentCopy read(BerkeleyDb lib, Path file, int dbType, OpenFileStatus.Status handleStamp, long reserved)
            throws IOException {
        long begun = System.currentTimeMillis();
        AtomicLong writes = writesTo(file);
        long writesWhenRead = writes.get();
        Flock.Held fd = null;
        ResidentCopy copy = null;
        try {
            fd = Flock.open(file);
            Flock.apply(fd.fd(), Flock.SHARED);
            try {
                long checked = System.nanoTime();
                OpenFileStatus.Status stamp = OpenFileStatus.of(fd.fd());
                long lastChange = Math.max(stamp.mtimeNanos(), stamp.ctimeNanos()) / 1_000_000;
                if (!stamp.unchangedSince(handleStamp) || lastChange > begun - SETTLED_MILLIS) return null;
                Latin1Map map = new Latin1Map();
                try (Database d = lib.open(file, dbType, false)) {
                    d.forEach(stamp.size() / 8 + 1, (k, v) -> {
                        String key = new String(k, StandardCharsets.ISO_8859_1);
                        if (!map.containsKey(key)) map.put(key, CdbType.cString(v));
                    });
                }
                map.trim();
                copy = new ResidentCopy(fd, reserved, begun, stamp, map, writes, writesWhenRead, checked);
                return copy;
            } finally {
                Flock.apply(fd.fd(), Flock.UNLOCK);
            }
        } finally {
            if (copy == null) {
                if (fd != null) fd.close();
                CopyBudget.PROCESS.release(reserved);
            }
        }
    }

    /** Whether the file is still exactly as read, as far as the last millisecond tells; false too when it cannot be checked. */
    boolean current() {
        if (writes.get() != writesWhenRead) return false;
        long now = System.nanoTime();
        if (now - checkedAt < CHECK_NANOS) return true;
        try {
            if (!OpenFileStatus.of(fd.fd()).equals(stamp)) return false;
            checkedAt = now;
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The value stored under {@code key} exactly (up to its first NUL), or null. */
    String get(byte[] key) {
        return map.get(new String(key, StandardCharsets.ISO_8859_1));
    }

    /** Entries held. */
    int size() { return map.size(); }

    /** When reading this copy began (currentTimeMillis). */
    long readAtMillis() { return readAtMillis; }

    /** Closes the descriptor and gives the reservation back; once. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) return;
        fd.close();
        CopyBudget.PROCESS.release(reserved);
    }
}
