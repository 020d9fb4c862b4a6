package org.proxymap.table.sql;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LogLimiter;
import org.proxymap.table.LookupTable;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;

/**
 * One sqlite table: Postfix's {@code dict_sqlite_lookup()}. The database is opened read-only
 * with a few connections that lookups take turns on (a connection serves one lookup at a
 * time). Where Postfix ends the process (a query that does not prepare, a step that fails
 * because the database is locked), this table answers RETRY and logs why.
 */
final class SqliteTable implements LookupTable {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final LogLimiter limited = new LogLimiter(10_000);
    /** connections per table: lookups beyond this many at once wait for one */
    private static final int CONNECTIONS = 4;

    private final String fullName;
    private final SqliteType.Config cf;
    private final DomainList domain;
    private final Sqlite3 lib;
    private final ConcurrentLinkedDeque<MemorySegment> idle = new ConcurrentLinkedDeque<>();
    private final Semaphore permits = new Semaphore(CONNECTIONS, true);
    private final AtomicBoolean closed = new AtomicBoolean();

    SqliteTable(SqliteType.Config cf, DomainList domain, Sqlite3 lib) throws TableOpenException {
        this.fullName = "sqlite:" + cf.name();
        this.cf = cf;
        this.domain = domain;
        this.lib = lib;
        try {
            idle.add(connect());
        } catch (Sqlite3.Failure e) {
            throw new TableOpenException(fullName + ": Can't open database " + cf.dbpath() + ": " + e.getMessage()
                    + "; check dbpath in " + cf.where() + " and that the proxymap service user can read the file");
        }
    }

    private MemorySegment connect() throws Sqlite3.Failure {
        return lib.open(cf.dbpath(), Sqlite3.OPEN_READONLY | Sqlite3.OPEN_NOMUTEX, SqliteType.BUSY_TIMEOUT_MILLIS);
    }

    @Override
    public int implFlags() { return DictFlags.FIXED; }

    @Override
    public String lookup(String key) throws TableException {
        if (!validUtf8(key)) {
            log.debug("{}: skipping lookup of non-UTF-8 key '{}'", fullName, key);
            return null;
        }
        if (domain != null) {
            int at = key.lastIndexOf('@');
            if (at <= 0 || at == key.length() - 1) return null;
            if (!domain.matches(key.substring(at + 1))) return null;
        }
        String query = cf.templates().expandQuery(key, SqliteTable::quote);
        if (query == null) return null;
        Sqlite3.Result r = run(query);
        if (r.failedCode() != Sqlite3.OK) {
            String busy = r.failedCode() == Sqlite3.BUSY || r.failedCode() == Sqlite3.LOCKED
                    ? " (the database stayed locked by a writer for " + SqliteType.BUSY_TIMEOUT_MILLIS + " ms)" : "";
            limited.warn(fullName + " step", "dict_sqlite_lookup: " + cf.name() + ": SQL step failed for query '" + query
                    + "': " + r.failedMessage() + busy);
            throw TableException.retry(fullName + ": SQL step failed: " + r.failedMessage() + busy);
        }
        return cf.templates().expandResults(r.column0(), key, cf.expansionLimit(), fullName,
                "dict_sqlite_lookup: " + cf.name() + ": Expansion limit exceeded for key '" + key + "'");
    }

    private Sqlite3.Result run(String query) throws TableException {
        try {
            if (!permits.tryAcquire(SqliteType.BUSY_TIMEOUT_MILLIS * 10L, TimeUnit.MILLISECONDS)) {
                throw TableException.retry(fullName + ": every connection is busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TableException.retry(fullName + ": interrupted");
        }
        MemorySegment db = null;
        try {
            db = idle.pollFirst();
            if (db == null) db = connect();
            return lib.query(db, query, Integer.MAX_VALUE);
        } catch (Sqlite3.Failure e) {
            // Postfix: msg_fatal (the proxymap process ends and the client retries)
            if (e.code == Sqlite3.BUSY || e.code == Sqlite3.LOCKED) {
                String why = e.getMessage() + " (by a writer, for more than " + SqliteType.BUSY_TIMEOUT_MILLIS + " ms)";
                limited.warn(fullName + " busy", "dict_sqlite_lookup: " + cf.name() + ": SQL prepare failed: " + why);
                throw TableException.retry(fullName + ": " + why);
            }
            limited.warn(fullName + " prepare", "dict_sqlite_lookup: " + cf.name() + ": SQL prepare failed: " + e.getMessage()
                    + "; check the query in " + cf.where() + " (query: " + query + ")");
            throw TableException.retry(fullName + ": SQL prepare failed: " + e.getMessage());
        } finally {
            if (db != null) {
                if (closed.get()) lib.close(db);
                else idle.offerFirst(db);
            }
            permits.release();
        }
    }

    /** Postfix's {@code sqlite3_mprintf("%q")}: every single quote doubled. */
    static String quote(String s) { return s.indexOf('\'') < 0 ? s : s.replace("'", "''"); }

    /** Postfix's {@code valid_utf_8()} over the key's bytes. */
    static boolean validUtf8(String key) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) >= 0x80) {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(key.getBytes(StandardCharsets.ISO_8859_1)));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (domain != null) domain.close();
        MemorySegment db;
        while ((db = idle.pollFirst()) != null) lib.close(db);
    }
}
