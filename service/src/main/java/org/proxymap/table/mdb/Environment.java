package org.proxymap.table.mdb;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import org.proxymap.ffm.NativeLibrary;

/**
 * One open LMDB file (its unnamed database). Not thread-safe: the caller runs one call at a
 * time and locks the file (MDB_NOLOCK). LMDB maps the file and trusts it, so the meta pages
 * are checked before it is opened (a file shorter than its meta page says would fault the
 * process on access), and every size is checked before bytes are copied.
 */
public final class Environment implements AutoCloseable {
    /** The longest key or value copied out. */
    public static final long MAX_ITEM = 64L << 20;
    private static final long VAL_BYTES = 16; // MDB_val: size_t mv_size, void *mv_data
    private static final int MAGIC = 0xBEEFC0DE;

    private final Lmdb lib;
    private final Path file;
    private final boolean writable;
    private MemorySegment env;
    private int dbi;
    private long mapSize;

    private Environment(Lmdb lib, Path file, boolean writable, MemorySegment env, long mapSize) {
        this.lib = lib;
        this.file = file;
        this.writable = writable;
        this.env = env;
        this.mapSize = mapSize;
    }

    static Environment open(Lmdb lib, Path file, boolean writable, long mapSize) throws MdbException {
        if (Files.exists(file)) checkMeta(file);
        MemorySegment env = MemorySegment.NULL;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(lib, (int) lib.envCreate.invokeExact(out), "create LMDB environment");
            env = out.get(ADDRESS, 0);
            check(lib, (int) lib.envSetMapsize.invokeExact(env, mapSize), "set map size of " + file);
            int flags = Lmdb.MDB_NOSUBDIR | Lmdb.MDB_NOLOCK | (writable ? 0 : Lmdb.MDB_RDONLY);
            check(lib, (int) lib.envOpen.invokeExact(env, a.allocateFrom(file.toString()), flags, 0644), "open database " + file);
            Environment e = new Environment(lib, file, writable, env, mapSize);
            env = MemorySegment.NULL;
            e.openDbi();
            return e;
        } catch (MdbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        } finally {
            if (!env.equals(MemorySegment.NULL)) {
                try {
                    lib.envClose.invokeExact(env);
                } catch (Throwable t) {
                    throw NativeLibrary.rethrow(t);
                }
            }
        }
    }

    /** Checks both meta pages: magic, version, and that the file holds the pages the newer one counts. */
    static void checkMeta(Path file) throws MdbException {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            ByteBuffer b = ByteBuffer.allocate(152).order(ByteOrder.nativeOrder());
            if (ch.read(b, 0) < 152) throw damaged(file, "shorter than its meta page");
            int psize = b.getInt(40);
            if (b.getInt(16) != MAGIC || b.getInt(20) != 1) throw damaged(file, "not an LMDB file of version 1");
            if (psize < 512 || psize > (1 << 16) || Integer.bitCount(psize) != 1) throw damaged(file, "bad page size " + psize);
            ByteBuffer m = ByteBuffer.allocate(152).order(ByteOrder.nativeOrder());
            if (ch.read(m, psize) < 152) throw damaged(file, "truncated in its second meta page");
            ByteBuffer newer = m.getInt(16) == MAGIC && Long.compareUnsigned(m.getLong(144), b.getLong(144)) > 0 ? m : b;
            long lastPage = newer.getLong(136);
            if (lastPage < 1 || lastPage > size / psize - 1) {
                throw damaged(file, "truncated: " + size + " bytes, its meta page counts " + (lastPage + 1) + " pages of " + psize);
            }
        } catch (MdbException e) {
            throw e;
        } catch (IOException e) {
            throw new MdbException(0, "open database " + file + ": " + e.getMessage());
        }
    }

    private static MdbException damaged(Path file, String why) {
        return new MdbException(0, "database " + file + " is damaged: " + why);
    }

    private static void check(Lmdb lib, int rc, String what) throws MdbException {
        if (rc != 0) throw new MdbException(rc, what + ": " + lib.message(rc));
    }

    private MemorySegment handle() throws MdbException {
        if (env == null) throw new MdbException(0, "database " + file + " is closed");
        return env;
    }

    public Path file() { return file; }

    public long mapSize() { return mapSize; }

    /** Grows (or, with 0, re-reads) the map; only while no transaction is open. */
    public void mapSize(long size) throws MdbException {
        try {
            check(lib, (int) lib.envSetMapsize.invokeExact(handle(), size), "set map size of " + file);
            if (size > 0) mapSize = size;
        } catch (MdbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** The descriptor of the file, for flock(). */
    public int fd() throws MdbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check(lib, (int) lib.envGetFd.invokeExact(handle(), out), "get file descriptor of " + file);
            return out.get(JAVA_INT, 0);
        } catch (MdbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    private void openDbi() throws MdbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment txn = begin(a, !writable);
            MemorySegment out = a.allocate(JAVA_INT);
            int rc = (int) lib.dbiOpen.invokeExact(txn, MemorySegment.NULL, writable ? Lmdb.MDB_CREATE : 0, out);
            if (rc != 0) {
                lib.txnAbort.invokeExact(txn);
                check(lib, rc, "open database " + file);
            }
            dbi = out.get(JAVA_INT, 0);
            check(lib, (int) lib.txnCommit.invokeExact(txn), "open database " + file);
        } catch (MdbException e) {
            close();
            throw e;
        } catch (Throwable t) {
            close();
            throw NativeLibrary.rethrow(t);
        }
    }

    /** mdb_txn_begin(), picking up a map another process grew (MDB_MAP_RESIZED), as slmdb does. */
    private MemorySegment begin(Arena a, boolean readOnly) throws Throwable {
        MemorySegment out = a.allocate(ADDRESS);
        int rc = (int) lib.txnBegin.invokeExact(handle(), MemorySegment.NULL, readOnly ? Lmdb.MDB_RDONLY : 0, out);
        if (rc == Lmdb.MDB_MAP_RESIZED) {
            mapSize(0);
            rc = (int) lib.txnBegin.invokeExact(handle(), MemorySegment.NULL, readOnly ? Lmdb.MDB_RDONLY : 0, out);
        }
        check(lib, rc, "begin transaction on " + file);
        return out.get(ADDRESS, 0);
    }

    private static MemorySegment val(Arena a, byte[] bytes) {
        MemorySegment v = a.allocate(VAL_BYTES, 8);
        if (bytes != null) {
            MemorySegment data = a.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, JAVA_BYTE, 0, bytes.length);
            v.set(JAVA_LONG, 0, bytes.length);
            v.set(ADDRESS, 8, data);
        }
        return v;
    }

    private byte[] bytes(MemorySegment v) throws MdbException {
        long size = v.get(JAVA_LONG, 0);
        MemorySegment data = v.get(ADDRESS, 8);
        if (size == 0) return new byte[0];
        if (size < 0 || size > MAX_ITEM || data.equals(MemorySegment.NULL)) {
            throw damaged(file, "an item of " + size + " bytes");
        }
        return data.reinterpret(size).toArray(JAVA_BYTE);
    }

    /** @return the value of {@code key}, or null */
    public byte[] get(byte[] key) throws MdbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment txn = begin(a, true);
            try {
                MemorySegment v = val(a, null);
                int rc = (int) lib.get.invokeExact(txn, dbi, val(a, key), v);
                if (rc == Lmdb.MDB_NOTFOUND) return null;
                check(lib, rc, "error reading " + file);
                return bytes(v);
            } finally {
                lib.txnAbort.invokeExact(txn);
            }
        } catch (MdbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** Writes {@code key} in its own committed transaction; MDB_MAP_FULL comes back as its code. */
    public void put(byte[] key, byte[] value) throws MdbException {
        write(txn -> {
            try (Arena a = Arena.ofConfined()) {
                return (int) lib.put.invokeExact(txn, dbi, val(a, key), val(a, value), 0);
            }
        }, "error writing " + file);
    }

    /** @return false when {@code key} was not there */
    public boolean delete(byte[] key) throws MdbException {
        return write(txn -> {
            try (Arena a = Arena.ofConfined()) {
                return (int) lib.del.invokeExact(txn, dbi, val(a, key), MemorySegment.NULL);
            }
        }, "error deleting from " + file);
    }

    private interface Change {
        int apply(MemorySegment txn) throws Throwable;
    }

    private boolean write(Change change, String what) throws MdbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment txn = begin(a, false);
            int rc = change.apply(txn);
            if (rc != 0) {
                lib.txnAbort.invokeExact(txn);
                if (rc == Lmdb.MDB_NOTFOUND) return false;
                check(lib, rc, what);
            }
            check(lib, (int) lib.txnCommit.invokeExact(txn), what); // durable: no MDB_NOSYNC, as Postfix
            return true;
        } catch (MdbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** Every key and value in key order, at most {@code limit} of them. */
    public void forEach(long limit, BiConsumer<byte[], byte[]> action) throws MdbException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment txn = begin(a, true);
            try {
                MemorySegment out = a.allocate(ADDRESS);
                check(lib, (int) lib.cursorOpen.invokeExact(txn, dbi, out), "open cursor on " + file);
                MemorySegment cursor = out.get(ADDRESS, 0);
                try {
                    MemorySegment k = val(a, null);
                    MemorySegment v = val(a, null);
                    for (long n = 0, op = Lmdb.MDB_FIRST; ; n++, op = Lmdb.MDB_NEXT) {
                        if (n > limit) throw damaged(file, "its cursor does not end");
                        int rc = (int) lib.cursorGet.invokeExact(cursor, k, v, (int) op);
                        if (rc == Lmdb.MDB_NOTFOUND) return;
                        check(lib, rc, "error seeking " + file);
                        action.accept(bytes(k), bytes(v));
                    }
                } finally {
                    lib.cursorClose.invokeExact(cursor);
                }
            } finally {
                lib.txnAbort.invokeExact(txn);
            }
        } catch (MdbException e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    @Override
    public void close() {
        if (env == null) return;
        MemorySegment e = env;
        env = null;
        try {
            lib.envClose.invokeExact(e);
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }
}
