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
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.ffm.Flock;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.FileStamp;
import org.proxymap.table.LogLimiter;
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

    private static final class LmdbTable implements LookupTable {
        private final Lmdb lib;
        private final Path file;
        private final boolean writable;
        private final long configuredMapSize;
        private final TrailingNul nul;
        /** one call at a time on the environment: MDB_NOLOCK leaves readers and writers to us */
        private final ReentrantLock lock = new ReentrantLock();
        private Environment env;
        private int fd;
        private FileStamp stamp;
        /** a failure is logged at most once a second per table */
        private final LogLimiter warnings = new LogLimiter(1000);

        LmdbTable(Lmdb lib, Path file, boolean writable, long mapSize, OpenFlags flags) throws IOException {
            this.lib = lib;
            this.file = file;
            this.writable = writable;
            this.configuredMapSize = mapSize;
            this.nul = new TrailingNul(flags);
            this.env = openEnv();
            this.fd = env.fd();
        }

        private Environment openEnv() throws IOException {
            long size = Files.exists(file) ? Files.size(file) : 0;
            Environment e = lib.open(file, writable, Math.max(configuredMapSize, size * 2));
            try {
                stamp = FileStamp.of(file);
                return e;
            } catch (IOException | RuntimeException x) {
                e.close();
                throw x;
            }
        }

        /** Re-opens when postmap replaced the file or grew it past our map. Call under both locks. */
        private boolean stale() throws IOException {
            FileStamp now = FileStamp.of(file);
            return !now.fileKey().equals(stamp.fileKey()) || now.size() > env.mapSize();
        }

        private interface Op<T> {
            T run(Environment env) throws IOException;
        }

        private <T> T locked(int mode, Op<T> op) throws TableException {
            lock.lock();
            try {
                if (env == null) throw TableException.retry("table lmdb:" + file + " is closed");
                Flock.apply(fd, mode);
                boolean held = true;
                try {
                    if (stale()) {
                        Flock.apply(fd, Flock.UNLOCK);
                        held = false;
                        Environment fresh = openEnv();
                        env.close();
                        env = fresh;
                        fd = fresh.fd();
                        nul.reset();
                        log.info("table lmdb:{} has changed -- re-opened", file);
                        Flock.apply(fd, mode);
                        held = true;
                    }
                    T result = op.run(env);
                    if (mode == Flock.EXCLUSIVE) stamp = FileStamp.of(file);
                    return result;
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

        private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

        @Override
        public String lookup(String key) throws TableException {
            return locked(Flock.SHARED, e -> {
                byte[] v = nul.probe(bytes(key), e::get);
                return v == null ? null : CdbType.cString(v);
            });
        }

        @Override
        public void update(String key, String value) throws TableException {
            if (!writable) {
                LookupTable.super.update(key, value);
                return;
            }
            locked(Flock.EXCLUSIVE, e -> {
                boolean withNul = nul.appendOnWrite();
                byte[] k = TrailingNul.stored(bytes(key), withNul);
                byte[] v = TrailingNul.stored(bytes(value), withNul);
                for (int attempt = 0; ; attempt++) {
                    try {
                        e.put(k, v);
                        return null;
                    } catch (MdbException x) {
                        if (x.code() != Lmdb.MDB_MAP_FULL || attempt >= 2) {
                            if (x.code() == Lmdb.MDB_MAP_FULL) throw new MdbException(x.code(), "map full; raise lmdb_map_size");
                            throw x;
                        }
                        e.mapSize(e.mapSize() * 2); // slmdb: grow the map and retry
                    }
                }
            });
        }

        @Override
        public boolean delete(String key) throws TableException {
            if (!writable) return LookupTable.super.delete(key);
            return locked(Flock.EXCLUSIVE, e -> nul.probe(bytes(key), k -> e.delete(k) ? Boolean.TRUE : null) != null);
        }

        @Override
        public Iterator<Map.Entry<String, String>> entries() throws TableException {
            return locked(Flock.SHARED, e -> {
                List<Map.Entry<String, String>> out = new ArrayList<>();
                e.forEach(Files.size(file) / 8 + 1, (k, v) -> out.add(Map.entry(CdbType.cString(k), CdbType.cString(v))));
                return out.iterator();
            });
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (env != null) env.close();
                env = null;
            } finally {
                lock.unlock();
            }
        }
    }
}
