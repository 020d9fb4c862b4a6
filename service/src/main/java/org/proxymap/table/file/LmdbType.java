package org.proxymap.table.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.FileStamp;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code lmdb:/path} (dict_lmdb.c + slmdb.c) on lmdbjava: the file {@code /path.lmdb}, opened
 * like Postfix does ({@code MDB_NOSUBDIR | MDB_NOLOCK}, with fcntl() locks on the file: shared
 * while reading, exclusive while writing, so that postmap, postscreen and this server can share
 * it). Keys and values are written with a trailing NUL, as Postfix writes them; lookups try the
 * key with the NUL first, then without. Through proxywrite the table is writable (update,
 * delete, sequence: the postscreen and verify caches) and is created when missing. The
 * environment is re-opened when postmap replaced the file or grew it past our map size.
 */
public final class LmdbType implements TableType {
    private static final Logger log = LogManager.getLogger("proxymap");
    /** One monitor per file in this JVM: fcntl locks are per process, Java refuses overlapping ones. */
    private static final Map<Path, Object> FILE_MONITORS = new ConcurrentHashMap<>();
    static final long DEFAULT_MAP_SIZE = 16L * 1024 * 1024; // Postfix's lmdb_map_size default

    @Override
    public String name() { return "lmdb"; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        Path file = Path.of(name + ".lmdb").toAbsolutePath();
        long mapSize = DEFAULT_MAP_SIZE;
        String configured = context.parameters() == null ? null : context.parameters().apply("lmdb_map_size");
        if (configured != null && configured.matches("[0-9]+")) mapSize = Long.parseLong(configured);
        if (!context.writable() && !Files.exists(file)) {
            throw TableOpenException.missing("database " + file);
        }
        try {
            return new LmdbTable(file, context.writable(), mapSize);
        } catch (IOException | RuntimeException e) {
            throw new TableOpenException("open database " + file + ": " + e.getMessage());
        }
    }

    private static final class LmdbTable implements LookupTable {
        private final Path file;
        private final boolean writable;
        private final long configuredMapSize;
        private final Object monitor;
        private Env<byte[]> env;
        private Dbi<byte[]> db;
        private FileChannel lockChannel;
        private FileStamp stamp;
        private long mapSize;

        LmdbTable(Path file, boolean writable, long mapSize) throws IOException {
            this.file = file;
            this.writable = writable;
            this.configuredMapSize = mapSize;
            this.monitor = FILE_MONITORS.computeIfAbsent(file, f -> new Object());
            synchronized (monitor) {
                openEnv();
            }
        }

        private void openEnv() throws IOException {
            long size = Files.exists(file) ? Files.size(file) : 0;
            mapSize = Math.max(configuredMapSize, size * 2);
            EnvFlags[] flags = writable
                    ? new EnvFlags[] {EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOLOCK}
                    : new EnvFlags[] {EnvFlags.MDB_NOSUBDIR, EnvFlags.MDB_NOLOCK, EnvFlags.MDB_RDONLY_ENV};
            env = Env.create(ByteArrayProxy.PROXY_BA).setMapSize(mapSize).setMaxDbs(1).open(file.toFile(), flags);
            db = writable ? env.openDbi((byte[]) null, DbiFlags.MDB_CREATE) : env.openDbi((byte[]) null);
            lockChannel = writable
                    ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ);
            stamp = FileStamp.of(file);
        }

        private void closeEnv() {
            try {
                if (lockChannel != null) lockChannel.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            if (env != null) env.close();
            env = null;
        }

        /** Re-opens when postmap replaced the file or it outgrew our mapping. Call with the monitor held. */
        private void refresh() throws TableException {
            try {
                FileStamp now = FileStamp.of(file);
                if (now.fileKey().equals(stamp.fileKey()) && now.size() <= mapSize) return;
                closeEnv();
                openEnv();
                log.info("table lmdb:{} has changed -- re-opened", file);
            } catch (IOException | RuntimeException e) {
                throw TableException.retry("open database " + file + ": " + e.getMessage(), e);
            }
        }

        private interface Op<T> {
            T run() throws Exception;
        }

        private <T> T locked(boolean exclusive, Op<T> op) throws TableException {
            synchronized (monitor) {
                if (env == null) throw TableException.retry("table lmdb:" + file + " is closed");
                refresh();
                try (FileLock lock = lockChannel.lock(0, Long.MAX_VALUE, !exclusive)) {
                    return op.run();
                } catch (Env.MapFullException e) {
                    throw TableException.retry("lmdb:" + file + ": map full; raise lmdb_map_size", e);
                } catch (TableException e) {
                    throw e;
                } catch (Exception e) {
                    throw TableException.retry("lmdb:" + file + ": " + e.getMessage(), e);
                } finally {
                    if (exclusive) {
                        try {
                            stamp = FileStamp.of(file);
                        } catch (IOException ignored) {
                            // checked again on the next operation
                        }
                    }
                }
            }
        }

        @Override
        public int implFlags() { return DictFlags.FIXED | DictFlags.MULTI_WRITER; }

        private static byte[] withNul(String s) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            return Arrays.copyOf(b, b.length + 1);
        }

        @Override
        public String lookup(String key) throws TableException {
            return locked(false, () -> {
                try (Txn<byte[]> txn = env.txnRead()) {
                    byte[] v = db.get(txn, withNul(key));
                    if (v == null) v = db.get(txn, key.getBytes(StandardCharsets.ISO_8859_1));
                    return v == null ? null : CdbType.cString(v);
                }
            });
        }

        @Override
        public void update(String key, String value) throws TableException {
            if (!writable) LookupTable.super.update(key, value);
            locked(true, () -> {
                for (int attempt = 0; ; attempt++) {
                    try (Txn<byte[]> txn = env.txnWrite()) {
                        db.put(txn, withNul(key), withNul(value));
                        txn.commit();
                        return null;
                    } catch (Env.MapFullException e) {
                        if (attempt >= 2) throw e;
                        mapSize *= 2; // slmdb: grow the map and retry
                        env.setMapSize(mapSize);
                    }
                }
            });
        }

        @Override
        public boolean delete(String key) throws TableException {
            if (!writable) return LookupTable.super.delete(key);
            return locked(true, () -> {
                try (Txn<byte[]> txn = env.txnWrite()) {
                    boolean found = db.delete(txn, withNul(key)) || db.delete(txn, key.getBytes(StandardCharsets.ISO_8859_1));
                    txn.commit();
                    return found;
                }
            });
        }

        @Override
        public Iterator<Map.Entry<String, String>> entries() throws TableException {
            return locked(false, () -> {
                List<Map.Entry<String, String>> out = new ArrayList<>();
                try (Txn<byte[]> txn = env.txnRead(); CursorIterable<byte[]> it = db.iterate(txn)) {
                    for (CursorIterable.KeyVal<byte[]> kv : it) {
                        out.add(Map.entry(CdbType.cString(kv.key()), CdbType.cString(kv.val())));
                    }
                }
                return out.iterator();
            });
        }

        @Override
        public void close() {
            synchronized (monitor) {
                closeEnv();
            }
        }
    }
}
