package org.proxymap.table.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.proxymap.ffm.Flock;
import org.proxymap.table.LogLimiter;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableException;

/**
 * What an open hash:/btree: (Berkeley DB) and lmdb: table share: keys as {@link TrailingNul}
 * decides, values up to their first NUL, one call at a time on the native handle, reads under
 * a shared and writes under an exclusive flock, and a failure logged at most once a second.
 * How the file is locked and when it is re-opened is each type's {@link #locked}.
 *
 * @param <H> the native handle: a Berkeley DB {@code Database} or an LMDB {@code Environment}
 */
abstract class NativeFileTable<H> implements LookupTable {
    final Path file;
    final boolean writable;
    final TrailingNul nul;
    /** one call at a time on the handle: neither library is opened for threads here */
    final ReentrantLock lock = new ReentrantLock();
    /** a failure is logged at most once a second per table */
    final LogLimiter warnings = new LogLimiter(1000);
    /** the open handle; null once closed */
    H handle;

    NativeFileTable(Path file, boolean writable, OpenFlags flags) {
        this.file = file;
        this.writable = writable;
        this.nul = new TrailingNul(flags);
    }

    interface Op<H, T> {
        T run(H handle) throws IOException;
    }

    /**
     * Runs {@code op} on the current handle under the table's lock and the file's flock
     * ({@link Flock#SHARED} or {@link Flock#EXCLUSIVE}); a failure answers RETRY.
     */
    abstract <T> T locked(int mode, Op<H, T> op) throws TableException;

    abstract byte[] get(H h, byte[] key) throws IOException;

    abstract void put(H h, byte[] key, byte[] value) throws IOException;

    abstract boolean remove(H h, byte[] key) throws IOException;

    /** After an update or delete, before the lock is released; nothing by default. */
    void written(H h) throws IOException { }

    abstract void forEach(H h, long limit, BiConsumer<byte[], byte[]> action) throws IOException;

    abstract void closeHandle(H h);

    static byte[] bytes(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    @Override
    public String lookup(String key) throws TableException {
        return locked(Flock.SHARED, h -> {
            byte[] v = nul.probe(bytes(key), k -> get(h, k));
            return v == null ? null : CdbType.cString(v);
        });
    }

    @Override
    public void update(String key, String value) throws TableException {
        if (!writable) {
            LookupTable.super.update(key, value);
            return;
        }
        write(h -> {
            boolean withNul = nul.appendOnWrite();
            put(h, TrailingNul.stored(bytes(key), withNul), TrailingNul.stored(bytes(value), withNul));
            return null;
        });
    }

    @Override
    public boolean delete(String key) throws TableException {
        if (!writable) return LookupTable.super.delete(key);
        return write(h -> nul.probe(bytes(key), k -> remove(h, k) ? Boolean.TRUE : null) != null);
    }

    /** An update or delete: {@code op} and then {@link #written}, under the exclusive lock. */
    <T> T write(Op<H, T> op) throws TableException {
        return locked(Flock.EXCLUSIVE, h -> {
            T result = op.run(h);
            written(h);
            return result;
        });
    }

    @Override
    public Iterator<Map.Entry<String, String>> entries() throws TableException {
        return locked(Flock.SHARED, h -> {
            List<Map.Entry<String, String>> out = new ArrayList<>();
            forEach(h, Files.size(file) / 8 + 1, (k, v) -> out.add(Map.entry(CdbType.cString(k), CdbType.cString(v))));
            return out.iterator();
        });
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (handle != null) closeHandle(handle); // closing the descriptor releases a lock held while open
            handle = null;
        } finally {
            lock.unlock();
        }
    }
}
