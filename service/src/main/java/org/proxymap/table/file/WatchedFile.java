package org.proxymap.table.file;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.table.FileStamp;
import org.proxymap.table.LookupTable;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;

/**
 * A table read from a file that follows the file: an admin edits
 * {@code /etc/postfix/header_checks} (or postmap rebuilds a cdb file) and the next lookups,
 * within about a second, see the new contents, without a reload (Postfix's proxymap
 * restarts itself when a table changes; {@code postfix reload} never reaches this server).
 *
 * <p>At most once a second per table, one lookup (the others go on meanwhile) compares the
 * file's {@link FileStamp} (inode, size, mtime) with the one it was read at; when it
 * changed, it opens the table again from the file and swaps it in as a whole, so a lookup
 * sees the old table or the new one, never a mix. A file modified in the last 300 ms, or
 * that changed while it was read, is read again a little later (an editor writing it in
 * place, as Postfix waits for a "hot" texthash file to cool down). A new file that cannot be read or opened
 * (missing, unreadable, a duplicate key where the flags allow none, not a cdb file) keeps
 * the old table, with one warning naming the file and the reason, repeated only when the
 * file changes again. The replaced table is not closed (lookups may still be running on
 * it): file tables hold no resources beyond memory and a mapping, which the GC frees.
 */
public final class WatchedFile implements LookupTable {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final long CHECK_NANOS = 1_000_000_000L;
    /** A file modified less than this long ago may still be being written (Postfix's "hot" file). */
    private static final long COOL_NANOS = 300_000_000L;

    /** Opens the table from the file once, as the type does at open. */
    @FunctionalInterface
    public interface Opener {
        LookupTable open() throws IOException, TableOpenException;
    }

    private final Path file;
    private final String table;
    private final Opener opener;
    private volatile LookupTable current;
    private volatile FileStamp stamp;
    /** the stamp of a new file that could not be opened: warned about once */
    private volatile Object failed;
    private final AtomicLong nextCheck;

    private WatchedFile(Path file, String table, Opener opener, LookupTable first, FileStamp stamp) {
        this.file = file;
        this.table = table;
        this.opener = opener;
        this.current = first;
        this.stamp = stamp;
        this.nextCheck = new AtomicLong(System.nanoTime() + CHECK_NANOS);
    }

    /**
     * Opens {@code table} (e.g. {@code regexp:/etc/postfix/x}, for log lines) from {@code file}
     * and watches the file. The stamp is taken before the first read, so a change during
     * that read is picked up by the next check.
     */
    public static LookupTable open(Path file, String table, Opener opener) throws IOException, TableOpenException {
        FileStamp s = FileStamp.of(file);
        return new WatchedFile(file, table, opener, opener.open(), s);
    }

    /** The table as of the last check; checks the file when a second has passed. */
    LookupTable current() {
        long now = System.nanoTime();
        long next = nextCheck.get();
        if (now - next >= 0 && nextCheck.compareAndSet(next, now + CHECK_NANOS)) check();
        return current;
    }

    private void check() {
        FileStamp s;
        try {
            s = FileStamp.of(file);
        } catch (IOException e) {
            problem(e instanceof NoSuchFileException ? "no such file" : e.toString(), "gone:" + e.getClass().getName());
            return;
        }
        if (s.equals(stamp) || s.equals(failed)) return;
        long age = System.currentTimeMillis() * 1_000_000L - s.mtimeNanos();
        if (age < COOL_NANOS) { // an editor may still be writing: look again once it has cooled down
            nextCheck.set(System.nanoTime() + Math.max(COOL_NANOS - age, 10_000_000L));
            return;
        }
        try {
            LookupTable next = opener.open();
            FileStamp after = FileStamp.of(file);
            if (!after.equals(s)) { // changed while being read: read it again at the next check
                nextCheck.set(System.nanoTime() + COOL_NANOS);
                return;
            }
            current = next;
            stamp = s;
            failed = null;
            log.info("table {} has changed -- re-read {}", table, file);
        } catch (IOException | TableOpenException | RuntimeException e) {
            problem(e.getMessage() == null ? e.toString() : e.getMessage(), s);
        }
    }

    private void problem(String reason, Object key) {
        if (key.equals(failed)) return;
        failed = key;
        log.warn("table {}: cannot re-read {} ({}); still serving the contents read before", table, file, reason);
    }

    @Override
    public int implFlags() { return current.implFlags(); }

    @Override
    public String lookup(String key) throws TableException { return current().lookup(key); }

    @Override
    public Iterator<Map.Entry<String, String>> entries() throws TableException { return current().entries(); }

    @Override
    public void close() { current.close(); }
}
