package org.proxymap.table.file;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.ffm.OpenFileStatus;
import org.proxymap.table.db.BerkeleyDb;

/**
 * The place of one read-only hash:/btree: table's {@link ResidentCopy}: the copy that answers
 * now, if any, and when the next one is read. A read runs on a thread of its own, once the
 * file is due: at once for a new table, then {@link ResidentCopy#SETTLED_MILLIS} after a
 * change, twice as long each time the file changes again soon after a read (a file kept up
 * to date by a writer is not read whole every second), never while it is over the size limit
 * or the {@link CopyBudget} has no room.
 */
final class ResidentSlot implements AutoCloseable {
    private static final Logger log = LogManager.getLogger("proxymap");

    /** What the slot needs of its table. */
    interface Table {
        /** the file as the table's handle last saw it */
        OpenFileStatus.Status stamp();

        /**
         * Runs {@code install} under the table's lock if its handle is open and still at
         * {@code readStamp} (a copy of an older file, or of a closed table, is dropped).
         */
        boolean installIfAt(OpenFileStatus.Status readStamp, Runnable install);
    }

    private final BerkeleyDb lib;
    private final Path file;
    private final int dbType;
    /** TYPE:FILE, for the log */
    private final String label;
    /** the largest file read into memory */
    private final long max;
    private final Table table;
    private final AtomicReference<ResidentCopy> copy = new AtomicReference<>();
    private final AtomicBoolean reading = new AtomicBoolean();
    /** when the next read may begin, in currentTimeMillis */
    private volatile long nextRead;
    /** the wait before reading a changed file again */
    private volatile long readDelay = ResidentCopy.SETTLED_MILLIS;
    /** the budget's refusal is logged once per table */
    private volatile boolean budgetWarned;

    ResidentSlot(BerkeleyDb lib, Path file, int dbType, String label, long max, Table table) {
        this.lib = lib;
        this.file = file;
        this.dbType = dbType;
        this.label = label;
        this.max = max;
        this.table = table;
    }

    /** The copy while the file is unchanged; null otherwise (a copy the file changed under is dropped). */
    ResidentCopy current() {
        ResidentCopy c = copy.get();
        if (c == null || c.current()) return c;
        if (copy.compareAndSet(c, null)) dropped(c);
        return null;
    }

    /** Whether a copy is in place (for tests). */
    boolean holds() { return copy.get() != null; }

    private void dropped(ResidentCopy c) {
        long now = System.currentTimeMillis();
        readDelay = now - c.readAtMillis() < 10 * readDelay ? Math.min(2 * readDelay, 64_000) : ResidentCopy.SETTLED_MILLIS;
        nextRead = now + readDelay;
        c.close();
    }

    /** The table re-opened a changed file: one that was too big, or found no heap, may fit now. */
    void reopened() {
        if (nextRead == Long.MAX_VALUE) nextRead = 0;
    }

    /** Starts reading the file into memory when it is not in memory yet and is due. */
    void readSoon() {
        if (copy.get() != null || System.currentTimeMillis() < nextRead) return;
        if (!reading.compareAndSet(false, true)) return;
        // a platform thread: flock() may wait for postmap, and a native call pins a virtual one
        Thread.ofPlatform().daemon().name("in-memory " + label).start(this::read);
    }

    private void read() {
        try {
            OpenFileStatus.Status handleStamp = table.stamp();
            if (handleStamp.size() > max) {
                nextRead = Long.MAX_VALUE; // until the file changes
                log.info("table {} is read from the file at each lookup: its {} bytes are over proxymap_db_in_memory_max_size ({})",
                        label, handleStamp.size(), max);
                return;
            }
            long reserve = CopyBudget.forFile(handleStamp.size());
            if (!CopyBudget.PROCESS.reserve(reserve)) {
                nextRead = System.currentTimeMillis() + 64_000;
                if (!budgetWarned) {
                    budgetWarned = true;
                    log.info("table {} is read from the file at each lookup: the copies of other tables hold {} of the {} MB "
                            + "that copies may take (a quarter of the heap's maximum); raise -Xmx in PROXYMAP_JAVA_OPTS, "
                            + "or lower proxymap_db_in_memory_max_size", label,
                            CopyBudget.PROCESS.reserved() >> 20, CopyBudget.PROCESS.limit() >> 20);
                }
                return;
            }
            long begun = System.nanoTime();
            ResidentCopy read = ResidentCopy.read(lib, file, dbType, handleStamp, reserve);
            if (read == null) {
                nextRead = System.currentTimeMillis() + ResidentCopy.SETTLED_MILLIS; // written just now, or re-opened since
                return;
            }
            if (!table.installIfAt(handleStamp, () -> copy.set(read))) {
                read.close();
                return;
            }
            log.info("table {}: {} entries read into memory in {} ms; lookups answer from there while the file is unchanged",
                    label, read.size(), (System.nanoTime() - begun) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            nextRead = System.currentTimeMillis() + 10_000; // lookups from the file log what is wrong with it
            log.debug("table {} not read into memory: {}", label, e.getMessage());
        } catch (OutOfMemoryError e) {
            nextRead = Long.MAX_VALUE;
            log.warn("table {} is read from the file at each lookup: no heap left to hold its {} bytes in memory; "
                    + "raise -Xmx in PROXYMAP_JAVA_OPTS, or lower proxymap_db_in_memory_max_size", label, table.stamp().size());
        } finally {
            reading.set(false);
        }
    }

    /** Gives the copy's memory and descriptor back; the table is closing. */
    @Override
    public void close() {
        ResidentCopy c = copy.getAndSet(null);
        if (c != null) c.close();
    }
}
