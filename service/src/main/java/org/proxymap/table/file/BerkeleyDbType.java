package org.proxymap.table.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.Setting;
import org.proxymap.ffm.Flock;
import org.proxymap.ffm.OpenFileStatus;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;
import org.proxymap.table.db.BerkeleyDb;
import org.proxymap.table.db.Database;
import org.proxymap.table.db.DbException;

/**
 * {@code hash:/path} and {@code btree:/path} (dict_db.c): the Berkeley DB file {@code /path.db}
 * as Debian's postmap writes it, through the system's libdb-5.3.so. Keys as {@link TrailingNul}
 * decides; values up to their first NUL. flock() as Postfix takes it: shared around each read,
 * exclusive around each write, or exclusive for as long as the table is open when the client
 * asked for OPEN_LOCK (postscreen, verify). Each update and delete is synced to the file
 * (proxywrite's SYNC_UPDATE). A table re-opens the file when another process changed it
 * (postmap rebuilt it, postmap -i added to it): real proxymap restarts then. A failing call answers RETRY and logs the file and the fix.
 * A read-only table of a file up to {@code proxymap_db_in_memory_max_size} answers from a
 * {@link ResidentCopy} of it while the file is unchanged.
 */
public abstract class BerkeleyDbType implements TableType {
    private static final Logger log = LogManager.getLogger("proxymap");
    private final String name;
    private final int dbType;

    protected BerkeleyDbType(String name, int dbType) {
        this.name = name;
        this.dbType = dbType;
    }

    @Override
    public String name() { return name; }

    /** The NUL forms, and OPEN_LOCK (postscreen's and verify's caches lock the file while open). */
    @Override
    public int openFlagsMask() { return OpenFlags.NUL_MASK | DictFlags.OPEN_LOCK; }

    @Override
    public LookupTable open(String table, OpenContext context) throws TableOpenException {
        BerkeleyDb lib;
        try {
            lib = BerkeleyDb.load();
        } catch (DbException e) {
            throw new TableOpenException("unsupported dictionary type: " + name + ": " + e.getMessage());
        }
        Path file = Path.of(table + ".db");
        if (!context.writable() && !Files.exists(file)) {
            throw TableOpenException.missing("database " + file);
        }
        boolean openLock = context.writable() && (context.instanceFlags() & DictFlags.OPEN_LOCK) != 0;
        long inMemoryMax = context.writable() ? 0 : Setting.DB_IN_MEMORY_MAX_SIZE.<Long>value(context.parameters());
        try {
            return new DbTable(lib, file, context.writable(), openLock, context.flags(), inMemoryMax);
        } catch (IOException e) {
            throw new TableOpenException(e.getMessage() + rebuildHint(file));
        }
    }

    /** Whether {@code table}, one of ours, now answers from its copy in memory (for tests). */
    static boolean answersFromMemory(LookupTable table) {
        return table instanceof BerkeleyDbType.DbTable t && t.resident != null && t.resident.holds();
    }

    /** The fix for a file that does not open or read as this type. */
    String rebuildHint(Path file) {
        String source = file.toString().substring(0, file.toString().length() - 3);
        return "; if it is damaged or of another type, rebuild it with: postmap " + name + ":" + source;
    }

    /** One open table: the file, its lock mode, what the keys look like. */
    private final class DbTable extends NativeFileTable<Database> implements ResidentSlot.Table {
        private final BerkeleyDb lib;
        private final boolean openLocked;
        private int fd;
        /** the file as this handle last knew it: its own writes included */
        private volatile OpenFileStatus.Status stamp;
        /** descriptors for the per-call flock, each lookup its own */
        private final LockDescriptors lockFds;
        /** our own updates and deletes, one group commit at a time, before they take their flock */
        private final ReentrantLock writers = new ReentrantLock();
        private final ConcurrentLinkedQueue<PendingWrite<?>> pending = new ConcurrentLinkedQueue<>();
        /** the file in memory while unchanged; null for a proxywrite table, or with the limit at 0 */
        private final ResidentSlot resident;

        DbTable(BerkeleyDb lib, Path file, boolean writable, boolean openLock, OpenFlags flags, long inMemoryMax)
                throws IOException {
            super(file, writable, flags);
            this.lib = lib;
            this.openLocked = openLock;
            this.lockFds = new LockDescriptors(file);
            this.handle = openFile();
            this.fd = handle.fd();
            this.resident = inMemoryMax == 0 ? null : new ResidentSlot(lib, file, dbType, name + ":" + file, inMemoryMax, this);
            if (resident != null) resident.readSoon();
        }

        /**
         * From the copy in memory while the file is unchanged; else from the file, which a
         * changed file re-opens, and which then starts reading the new file into memory.
         */
        @Override
        public String lookup(String key) throws TableException {
            if (resident == null) return super.lookup(key);
            ResidentCopy copy = resident.current();
            if (copy != null) return nul.probe(bytes(key), copy::get);
            String value = super.lookup(key);
            resident.readSoon();
            return value;
        }

        @Override
        public OpenFileStatus.Status stamp() { return stamp; }

        @Override
        public boolean installIfAt(OpenFileStatus.Status readStamp, Runnable install) {
            lock.lock();
            try {
                if (handle == null || !stamp.equals(readStamp)) return false;
                install.run();
                return true;
            } finally {
                lock.unlock();
            }
        }

        private IOException lockedByOther() {
            return new IOException(name + ":" + file + ": unable to get exclusive lock: Resource temporarily unavailable");
        }

        /**
         * Opens the file under a shared lock, as dict_db_open() does, and notes its identity.
         * With OPEN_LOCK nothing waits: the file is then locked exclusively for as long as it is
         * open, or the open fails at once, as dict_open3() does.
         */
        private Database openFile() throws IOException {
            int shared = Flock.SHARED | (openLocked ? Flock.NONBLOCK : 0);
            if (Files.exists(file)) verified(shared);
            Database d = lib.open(file, dbType, writable);
            try {
                int f = d.fd();
                if (openLocked) {
                    if (!Flock.apply(f, Flock.EXCLUSIVE | Flock.NONBLOCK)) throw lockedByOther();
                    stamp = OpenFileStatus.of(f);
                    return d;
                }
                Flock.apply(f, Flock.SHARED);
                try {
                    stamp = OpenFileStatus.of(f);
                } finally {
                    Flock.apply(f, Flock.UNLOCK);
                }
                return d;
            } catch (IOException | RuntimeException e) {
                d.close();
                throw e;
            }
        }

        /** Checks the file's structure under a shared lock (postmap may be rewriting it). */
        private void verified(int lockOp) throws IOException {
            try (Flock.Held held = Flock.open(file, lockOp)) {
                if (held == null) throw lockedByOther();
                lib.verify(file);
            }
        }

        @Override
        public int implFlags() { return DictFlags.FIXED | nul.flags(); }

        /**
         * Without OPEN_LOCK, a flock per call, taken on a descriptor of the caller's own before
         * the table's lock (always in that order), so that lookups wait for each other only around
         * the library call; a file that postmap rebuilt or replaced is re-opened first (and the call
         * made again, under a lock on the new file). A file removed from under its name is read
         * without a flock: no other process can open it any more. Our own writes come here one
         * group at a time ({@link #write}), so they never wait in flock() for each other (the
         * kernel wakes every waiter of a flock at each release, and only one of them gets it).
         */
        @Override
        <T> T locked(int mode, Op<Database, T> op) throws TableException {
            return openLocked ? serialized(mode, op) : flocked(mode, op);
        }

        private <T> T flocked(int mode, Op<Database, T> op) throws TableException {
            for (int attempt = 0; ; attempt++) {
                LockDescriptors.Entry own = lockFds.take();
                if (own == null) return serialized(mode, op);
                try {
                    Flock.apply(own.fd(), mode);
                    try {
                        boolean stale = !OpenFileStatus.of(own.fd()).unchangedSince(stamp);
                        lock.lock();
                        try {
                            if (handle == null) throw TableException.retry(name + ":" + file + " is closed");
                            if (stale && changed()) {
                                // re-opening takes its own shared lock, which an exclusive one of ours would block
                                Flock.apply(own.fd(), Flock.UNLOCK);
                                reopen();
                                lockFds.renew();
                                if (attempt < 2) continue; // again, locking the new file
                                throw TableException.retry(name + ":" + file + " changes faster than it can be read");
                            }
                            return run(mode, op);
                        } finally {
                            lock.unlock();
                        }
                    } finally {
                        Flock.apply(own.fd(), Flock.UNLOCK);
                    }
                } catch (TableException e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    throw failed(e);
                } finally {
                    lockFds.give(own);
                }
            }
        }

        /** The call under the table's lock alone: the file is locked while open (OPEN_LOCK), or removed. */
        private <T> T serialized(int mode, Op<Database, T> op) throws TableException {
            lock.lock();
            try {
                if (handle == null) throw TableException.retry(name + ":" + file + " is closed");
                if (changed()) {
                    reopen();
                    lockFds.renew();
                }
                return run(mode, op);
            } catch (TableException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw failed(e);
            } finally {
                lock.unlock();
            }
        }

        /** A failed library or file call: RETRY, logged (rate-limited) with the fix. */
        private TableException failed(Exception e) {
            return TableException.retry(warnings.warn(e.getMessage() + rebuildHint(file)), e);
        }

        /** {@code op} on the open handle, under the table's lock and the file's flock. */
        private <T> T run(int mode, Op<Database, T> op) throws IOException {
            T result = op.run(handle);
            if (mode == Flock.EXCLUSIVE) {
                stamp = OpenFileStatus.of(fd); // our own change, made under the lock
                ResidentCopy.written(file);
            }
            return result;
        }

        /**
         * Whether another process wrote the file since this handle last saw it (dict_changed()'s
         * test, on the open descriptor: no path walk per lookup), or replaced it under its name.
         * A file removed and not replaced keeps being served, as proxymap does until it restarts.
         */
        private boolean changed() throws IOException {
            OpenFileStatus.Status now = OpenFileStatus.of(fd);
            if (now.unchangedSince(stamp)) return false;
            return now.links() > 0 || Files.exists(file);
        }

        /** postmap rebuilt the file: the new one replaces the old handle once it is open. */
        private void reopen() throws IOException {
            Database fresh = openFile();
            Database old = handle;
            handle = fresh;
            fd = fresh.fd();
            nul.reset();
            if (resident != null) resident.reopened();
            old.close();
            log.info("table {}:{} has changed -- re-opened", name, file);
        }

        @Override
        byte[] get(Database d, byte[] key) throws IOException { return d.get(key); }

        @Override
        void put(Database d, byte[] key, byte[] value) throws IOException { d.put(key, value); }

        @Override
        boolean remove(Database d, byte[] key) throws IOException { return d.delete(key); }

        /** proxywrite's SYNC_UPDATE: each update and delete reaches the file. */
        @Override
        void written(Database d) throws IOException { d.sync(); }

        /**
         * Group commit: the updates and deletes that arrived while another one was being written
         * run together, under one exclusive lock, followed by one sync, and each is answered only
         * after that sync; as durable as a sync per update, which Postfix's single process makes,
         * without one disk flush (and one flock) per request.
         */
        @Override
        <T> T write(Op<Database, T> op) throws TableException {
            PendingWrite<T> mine = new PendingWrite<>(op);
            pending.add(mine);
            // whoever gets the lock commits all that is waiting; the others sleep until their write
            // was committed (woken by that committer) or the lock is free for them (woken by the
            // committer that found them waiting after its group): no one waits for the lock itself
            while (!mine.done) {
                if (writers.tryLock()) {
                    try {
                        if (!mine.done) commitPending();
                    } finally {
                        writers.unlock();
                    }
                    PendingWrite<?> next = pending.peek();
                    if (next != null) LockSupport.unpark(next.thread);
                } else {
                    LockSupport.park(this);
                }
            }
            if (mine.failure != null) throw mine.failure;
            return mine.result;
        }

        /** Runs every waiting write, then syncs; a failed sync fails them all (none is on disk for sure). */
        private void commitPending() {
            List<PendingWrite<?>> batch = new ArrayList<>();
            for (PendingWrite<?> p; (p = pending.poll()) != null; ) batch.add(p);
            try {
                locked(Flock.EXCLUSIVE, h -> {
                    for (PendingWrite<?> p : batch) p.runOn(h);
                    written(h);
                    return null;
                });
            } catch (TableException e) {
                for (PendingWrite<?> p : batch) p.failure = e;
            } catch (Error e) { // out of memory, say: no write of the group is known to be on disk
                TableException retry = TableException.retry(name + ":" + file + ": " + e, e);
                for (PendingWrite<?> p : batch) p.failure = retry;
                throw e;
            } finally {
                for (PendingWrite<?> p : batch) {
                    p.done = true;
                    LockSupport.unpark(p.thread);
                }
            }
        }

        /** One update or delete waiting for the next group commit, and its outcome. */
        private final class PendingWrite<T> {
            private final Op<Database, T> op;
            private final Thread thread = Thread.currentThread();
            private T result;
            private TableException failure;
            private volatile boolean done;

            PendingWrite(Op<Database, T> op) { this.op = op; }

            void runOn(Database d) {
                try {
                    result = op.run(d);
                } catch (IOException | RuntimeException e) {
                    failure = failed(e);
                }
            }
        }

        @Override
        void forEach(Database d, long limit, BiConsumer<byte[], byte[]> action) throws IOException { d.forEach(limit, action); }

        @Override
        void closeHandle(Database d) { d.close(); }

        @Override
        public void close() {
            super.close(); // no copy is kept once the handle is gone
            if (resident != null) resident.close();
            lockFds.close();
        }
    }

    /** {@code hash:} */
    public static final class Hash extends BerkeleyDbType {
        public Hash() { super("hash", BerkeleyDb.HASH); }
    }

    /** {@code btree:} */
    public static final class Btree extends BerkeleyDbType {
        public Btree() { super("btree", BerkeleyDb.BTREE); }
    }
}
