package org.proxymap.table.db;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import org.proxymap.ffm.NativeLibrary;

/**
 * One open Berkeley DB file with its private environment. Not thread-safe: the caller runs one
 * call at a time (Postfix's handles are not opened with DB_THREAD either, and results point
 * into memory the library reuses on the next call). Every size is checked before bytes are
 * copied, and every call gets memory of the size it is told.
 */
public final class Database implements AutoCloseable {
    /** The longest key or value copied out: a corrupt size must not exhaust the heap. */
    public static final long MAX_ITEM = 64L << 20;
    private static final long DBT_BYTES = 40; // struct __db_dbt on LP64: data, size, ulen, dlen, doff, app_data, flags
    private static final long DBT_SIZE = 8;

    private final BerkeleyDb lib;
    private final Path file;
    private MemorySegment env;
    private MemorySegment db;

    private Database(BerkeleyDb lib, Path file, MemorySegment env, MemorySegment db) {
        this.lib = lib;
        this.file = file;
        this.env = env;
        this.db = db;
    }

    static Database open(BerkeleyDb lib, Path file, int type, boolean writable) throws DbException {
        Path dir = file.toAbsolutePath().getParent();
        MemorySegment env = MemorySegment.NULL;
        MemorySegment db = MemorySegment.NULL;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(lib, (int) lib.envCreate.invokeExact(out, 0), "create DB environment");
            env = out.get(ADDRESS, 0);
            // dict_db_new_env: the file's directory as home keeps a stray ./DB_CONFIG out
            int rc = (int) lib.envOpen.invokeExact(env, a.allocateFrom(dir.toString()),
                    BerkeleyDb.DB_INIT_MPOOL | BerkeleyDb.DB_CREATE | BerkeleyDb.DB_PRIVATE, 0);
            check(lib, rc, "open DB environment " + dir);
            out.set(ADDRESS, 0, MemorySegment.NULL);
            check(lib, (int) lib.create.invokeExact(out, env, 0), "create DB database");
            db = out.get(ADDRESS, 0);
            int flags = BerkeleyDb.DB_FCNTL_LOCKING | (writable ? BerkeleyDb.DB_CREATE : BerkeleyDb.DB_RDONLY);
            rc = (int) lib.open.invokeExact(db, MemorySegment.NULL, a.allocateFrom(file.getFileName().toString()),
                    MemorySegment.NULL, type, flags, 0644);
            check(lib, rc, "open database " + file);
            Database d = new Database(lib, file, env, db);
            env = MemorySegment.NULL;
            db = MemorySegment.NULL;
            return d;
        } catch (DbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        } finally {
            closeHandles(lib, db, env);
        }
    }

    static void verify(BerkeleyDb lib, Path file) throws DbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(lib, (int) lib.create.invokeExact(out, MemorySegment.NULL, 0), "create DB database");
            // the handle is gone after verify, whatever it returns (DB->verify documentation)
            int rc = (int) lib.verify.invokeExact(out.get(ADDRESS, 0), a.allocateFrom(file.toString()),
                    MemorySegment.NULL, MemorySegment.NULL, 0);
            if (rc != 0) throw new DbException(rc, "database " + file + " is damaged: " + lib.message(rc));
        } catch (DbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    private static void closeHandles(BerkeleyDb lib, MemorySegment db, MemorySegment env) {
        try {
            // a DB handle must be closed even after a failed open (DB->open documentation)
            if (!db.equals(MemorySegment.NULL)) {
                int unused = (int) lib.close.invokeExact(db, 0);
            }
            if (!env.equals(MemorySegment.NULL)) {
                int unused = (int) lib.envClose.invokeExact(env, 0);
            }
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    private static void check(BerkeleyDb lib, int rc, String what) throws DbException {
        if (rc != 0) throw new DbException(rc, what + ": " + lib.message(rc));
    }

    public Path file() { return file; }

    private MemorySegment handle() throws DbException {
        if (db == null) throw new DbException(0, "database " + file + " is closed");
        return db;
    }

    /** The descriptor of the file itself, for flock(): {@code db->fd()}. */
    public int fd() throws DbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check(lib, (int) lib.fd.invokeExact(handle(), out), "get file descriptor of " + file);
            return out.get(JAVA_INT, 0);
        } catch (DbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    private static MemorySegment dbt(Arena a, byte[] bytes) {
        MemorySegment dbt = a.allocate(DBT_BYTES, 8);
        if (bytes != null) {
            MemorySegment data = a.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, JAVA_BYTE, 0, bytes.length);
            dbt.set(ADDRESS, 0, data);
            dbt.set(JAVA_INT, DBT_SIZE, bytes.length);
        }
        return dbt;
    }

    /** The bytes a result DBT points to, after checking its size. */
    private byte[] bytes(MemorySegment dbt) throws DbException {
        long size = Integer.toUnsignedLong(dbt.get(JAVA_INT, DBT_SIZE));
        MemorySegment data = dbt.get(ADDRESS, 0);
        if (size == 0) return new byte[0];
        if (size > MAX_ITEM || data.equals(MemorySegment.NULL)) {
            throw new DbException(0, "database " + file + " returned an item of " + size + " bytes: file corrupt");
        }
        return data.reinterpret(size).toArray(JAVA_BYTE);
    }

    /**
     * {@code db->get()}.
     *
     * @return the value, or null for DB_NOTFOUND
     */
    public byte[] get(byte[] key) throws DbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = dbt(a, key);
            MemorySegment v = dbt(a, null);
            int rc = (int) lib.get.invokeExact(handle(), MemorySegment.NULL, k, v, 0);
            if (rc == BerkeleyDb.DB_NOTFOUND) return null;
            check(lib, rc, "error reading " + file);
            return bytes(v);
        } catch (DbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** {@code db->put()} replacing an existing value (proxywrite sets DUP_REPLACE). */
    public void put(byte[] key, byte[] value) throws DbException {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) lib.put.invokeExact(handle(), MemorySegment.NULL, dbt(a, key), dbt(a, value), 0);
            check(lib, rc, "error writing " + file);
        } catch (DbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** {@code db->del()}: @return false for DB_NOTFOUND */
    public boolean delete(byte[] key) throws DbException {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) lib.del.invokeExact(handle(), MemorySegment.NULL, dbt(a, key), 0);
            if (rc == BerkeleyDb.DB_NOTFOUND) return false;
            check(lib, rc, "error deleting from " + file);
            return true;
        } catch (DbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** {@code db->sync()}: flushes the cache to the file, as SYNC_UPDATE asks after each update. */
    public void sync() throws DbException {
        try {
            check(lib, (int) lib.sync.invokeExact(handle(), 0), "flush dictionary " + file);
        } catch (DbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /**
     * Every key and value in the file's order, through one cursor (DB_FIRST, then DB_NEXT).
     * At most {@code limit} entries: a file changed since it was verified could loop.
     */
    public void forEach(long limit, BiConsumer<byte[], byte[]> action) throws DbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(lib, (int) lib.cursor.invokeExact(handle(), MemorySegment.NULL, out, 0), "open cursor on " + file);
            MemorySegment cursor = out.get(ADDRESS, 0);
            try {
                MemorySegment k = dbt(a, null);
                MemorySegment v = dbt(a, null);
                for (long n = 0, op = BerkeleyDb.DB_FIRST; ; n++, op = BerkeleyDb.DB_NEXT) {
                    if (n > limit) throw new DbException(0, "database " + file + " is damaged: its cursor does not end");
                    int rc = (int) lib.cursorGet.invokeExact(cursor, k, v, (int) op);
                    if (rc == BerkeleyDb.DB_NOTFOUND) return;
                    check(lib, rc, "error seeking " + file);
                    action.accept(bytes(k), bytes(v));
                }
            } finally {
                int unused = (int) lib.cursorClose.invokeExact(cursor);
            }
        } catch (DbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** Closes the file (which syncs it) and its environment; idempotent. */
    @Override
    public void close() {
        if (db == null) return;
        MemorySegment d = db;
        MemorySegment e = env;
        db = null;
        env = null;
        closeHandles(lib, d, e);
    }
}
