package org.proxymap.table.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LogLimiter;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code cdb:/path} (dict_cdb.c): reads {@code /path.cdb} as written by {@code postmap cdb:/path}
 * (D. J. Bernstein's constant database format, read by hand: 256 hash tables, djb hash).
 * Keys are tried with a trailing NUL first, then without, as Postfix does, or in the one form
 * that {@code try1null} / {@code try0null} ask for ({@link OpenFlags}); values have their
 * trailing NUL removed. postmap rebuilds a cdb file by renaming a new file over it: the file
 * is re-opened within a second when its inode, size or mtime changes ({@link WatchedFile}).
 * Read-only, as in Postfix.
 */
public final class CdbType implements TableType {
    private static final Logger log = LogManager.getLogger("proxymap");

    @Override
    public String name() { return "cdb"; }

    @Override
    public int openFlagsMask() { return OpenFlags.NUL_MASK; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) {
            throw new TableOpenException("cdb:" + name + ": cdb files cannot be updated through proxywrite "
                    + "(Postfix rebuilds them with postmap); use lmdb: for a writable table");
        }
        Path file = Path.of(name + ".cdb");
        try {
            OpenFlags flags = context.flags();
            return WatchedFile.open(file, "cdb:" + name, () -> new CdbTable(file, flags));
        } catch (IOException e) {
            throw TableOpenException.open("database " + file, e);
        }
    }

    /** An open cdb file: the mapped bytes. */
    static final class Cdb {
        private final ByteBuffer buf;

        Cdb(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                if (ch.size() > Integer.MAX_VALUE) throw new IOException(file + ": cdb files over 2 GB are not supported");
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                this.buf = m.order(ByteOrder.LITTLE_ENDIAN);
            }
            if (buf.limit() < 2048) throw new IOException(file + ": not a cdb file (shorter than its 2048-byte header)");
        }

        private long u32(long pos) throws IOException {
            if (pos < 0 || pos + 4 > buf.limit()) throw corrupt("offset " + pos + " is past the end");
            return buf.getInt((int) pos) & 0xffffffffL;
        }

        private static IOException corrupt(String what) {
            return new IOException("cdb file is truncated or corrupt (" + what + "); rebuild it with postmap cdb:FILE");
        }

        static long hash(byte[] key) {
            long h = 5381;
            for (byte b : key) h = ((h << 5) + h ^ (b & 0xff)) & 0xffffffffL;
            return h;
        }

        /** @return the data for {@code key}, or null */
        byte[] find(byte[] key) throws IOException {
            long h = hash(key);
            long tpos = u32((h & 255) * 8);
            long tlen = u32((h & 255) * 8 + 4);
            if (tlen == 0) return null;
            // a damaged header must not send the probe loop past the end (or around it for 2^32 slots)
            if (tpos < 2048 || tpos + tlen * 8 > buf.limit()) throw corrupt("hash table " + (h & 255) + " points past the end");
            long slot = (h >>> 8) % tlen;
            for (long i = 0; i < tlen; i++) {
                long sp = tpos + ((slot + i) % tlen) * 8;
                long sh = u32(sp);
                long rp = u32(sp + 4);
                if (rp == 0) return null;
                if (sh != h) continue;
                long klen = u32(rp);
                long dlen = u32(rp + 4);
                if (klen != key.length) continue;
                if (rp + 8 + klen + dlen > buf.limit()) throw corrupt("a record at " + rp + " points past the end");
                boolean same = true;
                for (int k = 0; k < klen && same; k++) same = buf.get((int) (rp + 8 + k)) == key[k];
                if (!same) continue;
                byte[] data = new byte[(int) dlen];
                buf.get((int) (rp + 8 + klen), data);
                return data;
            }
            return null;
        }

        /** Every record in file order (cdb_seqnext()). */
        List<Map.Entry<String, String>> all() throws IOException {
            List<Map.Entry<String, String>> out = new ArrayList<>();
            long end = u32(0); // the first hash table starts right after the records
            for (int t = 1; t < 256; t++) end = Math.min(end, u32(t * 8L));
            if (end < 2048 || end > buf.limit()) throw corrupt("the records end past the end of the file");
            long p = 2048;
            while (p < end) {
                long klen = u32(p);
                long dlen = u32(p + 4);
                if (p + 8 + klen + dlen > end) throw corrupt("a record at " + p + " points past the end");
                byte[] k = new byte[(int) klen];
                byte[] d = new byte[(int) dlen];
                buf.get((int) (p + 8), k);
                buf.get((int) (p + 8 + klen), d);
                out.add(Map.entry(cString(k), cString(d)));
                p += 8 + klen + dlen;
            }
            return out;
        }
    }

    /** SCOPY(): the bytes up to the first NUL. */
    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** One opened cdb file; {@link WatchedFile} opens the new one when postmap replaced it. */
    private static final class CdbTable implements LookupTable {
        private final Path file;
        private final boolean withNul;
        private final boolean withoutNul;
        private final Cdb cdb;
        private final LogLimiter warnings = new LogLimiter(1000);

        CdbTable(Path file, OpenFlags flags) throws IOException {
            this.file = file;
            this.withNul = flags.tryWithNul();
            this.withoutNul = flags.tryWithoutNul();
            this.cdb = new Cdb(file);
        }

        @Override
        public int implFlags() { return DictFlags.FIXED; }

        @Override
        public String lookup(String key) throws TableException {
            byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
            byte[] k1 = java.util.Arrays.copyOf(k, k.length + 1);
            try {
                byte[] v = withNul ? cdb.find(k1) : null;
                if (v == null && withoutNul) v = cdb.find(k);
                return v == null ? null : cString(v);
            } catch (IOException e) {
                throw TableException.retry(warnings.warn("error reading " + file + ": " + e.getMessage()));
            } catch (InternalError e) {
                throw truncatedUnderUs(e);
            }
        }

        @Override
        public Iterator<Map.Entry<String, String>> entries() throws TableException {
            try {
                return cdb.all().iterator();
            } catch (IOException e) {
                throw TableException.retry(warnings.warn("error reading " + file + ": " + e.getMessage()));
            } catch (InternalError e) {
                throw truncatedUnderUs(e);
            }
        }

        /**
         * The JVM turns a read of a mapped page that no longer exists (the file was truncated
         * in place, not replaced by rename as postmap does) into an InternalError.
         */
        private TableException truncatedUnderUs(InternalError e) {
            return TableException.retry(warnings.warn("error reading " + file + ": the file shrank while open ("
                    + e.getMessage() + "); rebuild it with postmap cdb:FILE, which replaces it atomically"));
        }
    }
}
