package org.proxymap.table.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.ffm.Flock;
import org.proxymap.ffm.OpenFileStatus;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;
import org.proxymap.table.mdb.Environment;
import org.proxymap.table.mdb.Lmdb;
import org.proxymap.table.mdb.MdbException;

/**
 * {@code lmdb:/path} (dict_lmdb.c + slmdb.c) on the system's liblmdb.so.0 through FFM: the file
 * {@code /path.lmdb}, opened as Postfix opens it ({@code MDB_NOSUBDIR | MDB_NOLOCK}, with
 * flock() on the file: shared while reading, exclusive while writing, so that postmap,
 * postscreen and this server can share it). Keys as {@link TrailingNul} decides (the client's
 * try0null/try1null, sticky after the first hit); writes store the trailing NUL, as Postfix
 * does. Through proxywrite the table is writable (update, delete, sequence: the postscreen and
 * verify caches) and is created when missing; a full map grows, as slmdb grows it. The file is
 * re-opened when postmap replaced it or grew it past our map.
 */
public final class LmdbType implements TableType {
    private static final Logger log = LogManager.getLogger("proxymap");
    static final long DEFAULT_MAP_SIZE = 16L * 1024 * 1024; // Postfix's lmdb_map_size default

    @Override
    public String name() { return "lmdb"; }

    @Override
    public int openFlagsMask() { return OpenFlags.NUL_MASK; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        Lmdb lib;
        try {
            lib = Lmdb.load();
        } catch (MdbException e) {
            throw new TableOpenException("unsupported dictionary type: lmdb: " + e.getMessage());
        }
        Path file = Path.of(name + ".lmdb").toAbsolutePath();
        long mapSize = DEFAULT_MAP_SIZE;
        String configured = context.parameters() == null ? null : context.parameters().apply("lmdb_map_size");
        if (configured != null && configured.matches("[0-9]+")) mapSize = Long.parseLong(configured);
        if (!context.writable() && !Files.exists(file)) {
            throw TableOpenException.missing("database " + file);
        }
        try {
            return new LmdbTable(lib, file, context.writable(), mapSize, context.flags());
        } catch (IOException | RuntimeException e) {
            throw new TableOpenException(e.getMessage() + rebuildHint(file));
        }
    }

    private static String rebuildHint(Path file) {
        String f = file.toString();
        return "; if it is damaged, rebuild it with: postmap lmdb:" + f.substring(0, f.length() - ".lmdb".length());
    }

    /** MDB_NOLOCK leaves readers and writers to the table's lock and the file's flock. */
    private static final class LmdbTable extends NativeFileTable<Environment> {
        private final Lmdb lib;
        private final long configuredMapSize;
        private int fd;

        LmdbTable(Lmdb lib, Path file, boolean writable, long mapSize, OpenFlags flags) throws IOException {
            super(file, writable, flags);
            this.lib = lib;
            this.configuredMapSize = mapSize;
            this.handle = openEnv();
            this.fd = handle.fd();
        }

        private Environment openEnv() throws IOException {
            long size = Files.exists(file) ? Files.size(file) : 0;
            return lib.open(file, writable, Math.max(configuredMapSize, size * 2));
        }

        /**
         * Re-opens when postmap replaced the file (the open one has no name left; a file removed
         * and not replaced goes on being served) or grew it past our map. Call under both locks.
         */
        private boolean stale() throws IOException {
            OpenFileStatus.Status now = OpenFileStatus.of(fd);
            return now.links() == 0 ? Files.exists(file) : now.size() > handle.mapSize();
        }

        @Override
        <T> T locked(int mode, Op<Environment, T> op) throws TableException {
            lock.lock();
            try {
                if (handle == null) throw TableException.retry("table lmdb:" + file + " is closed");
                Flock.apply(fd, mode);
                boolean held = true;
                try {
                    if (stale()) {
                        Flock.apply(fd, Flock.UNLOCK);
                        held = false;
                        Environment fresh = openEnv();
                        handle.close();
                        handle = fresh;
                        fd = fresh.fd();
                        nul.reset();
                        log.info("table lmdb:{} has changed -- re-opened", file);
                        Flock.apply(fd, mode);
                        held = true;
                    }
                    return op.run(handle);
                } finally {
                    if (held) Flock.apply(fd, Flock.UNLOCK);
                }
            } catch (TableException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw TableException.retry(warnings.warn("lmdb:" + file + ": " + e.getMessage() + rebuildHint(file)), e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int implFlags() { return DictFlags.FIXED | DictFlags.MULTI_WRITER | nul.flags(); }

        @Override
        byte[] get(Environment e, byte[] key) throws IOException { return e.get(key); }

        /** A full map grows and the put is tried again, as slmdb does. */
        @Override
        void put(Environment e, byte[] key, byte[] value) throws IOException {
            for (int attempt = 0; ; attempt++) {
                try {
                    e.put(key, value);
                    return;
                } catch (MdbException x) {
                    if (x.code() != Lmdb.MDB_MAP_FULL || attempt >= 2) {
                        if (x.code() == Lmdb.MDB_MAP_FULL) throw new MdbException(x.code(), "map full; raise lmdb_map_size");
                        throw x;
                    }
                    e.mapSize(e.mapSize() * 2);
                }
            }
        }

        @Override
        boolean remove(Environment e, byte[] key) throws IOException { return e.delete(key); }

        @Override
        void forEach(Environment e, long limit, BiConsumer<byte[], byte[]> action) throws IOException { e.forEach(limit, action); }

        @Override
        void closeHandle(Environment e) { e.close(); }
    }
}
