package org.proxymap.table.sql;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.proxymap.ffm.NativeLibrary;

/**
 * The few calls of the system's SQLite library ({@code libsqlite3.so.0}, the one Debian's
 * postfix-sqlite links) that Postfix's dict_sqlite makes, through the FFM API: the same
 * engine and version as Postfix reads the database with, and no bundled native code.
 * Strings are bytes: {@code String}s here are ISO-8859-1, one char per byte, as on the wire.
 */
final class Sqlite3 {
    static final int OK = 0, BUSY = 5, LOCKED = 6, ROW = 100, DONE = 101, NULL = 5;
    static final int OPEN_READONLY = 0x1, OPEN_NOMUTEX = 0x8000;

    private static final NativeLibrary.Binding<Sqlite3> LIBRARY =
            NativeLibrary.bind("libsqlite3.so.0", Sqlite3::new, "install Debian's libsqlite3-0 package");

    private final MethodHandle openV2, busyTimeout, prepareV2, step, columnType, columnText, columnBytes,
            finalizeStmt, errmsg, errstr, closeV2, libversion;

    private Sqlite3(NativeLibrary lib) {
        openV2 = lib.function("sqlite3_open_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        busyTimeout = lib.function("sqlite3_busy_timeout", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        prepareV2 = lib.function("sqlite3_prepare_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        step = lib.function("sqlite3_step", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        columnType = lib.function("sqlite3_column_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        columnText = lib.function("sqlite3_column_text", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        columnBytes = lib.function("sqlite3_column_bytes", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        finalizeStmt = lib.function("sqlite3_finalize", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errmsg = lib.function("sqlite3_errmsg", FunctionDescriptor.of(ADDRESS, ADDRESS));
        errstr = lib.function("sqlite3_errstr", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        closeV2 = lib.function("sqlite3_close_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        libversion = lib.function("sqlite3_libversion", FunctionDescriptor.of(ADDRESS));
    }

    /** The library, loaded once; null (see {@link #loadError()}) when this machine has none. */
    static Sqlite3 get() { return LIBRARY.orNull(); }

    static String loadError() { return LIBRARY.unavailable(); }

    /** A failed call: the SQLite result code and its message. */
    static final class Failure extends Exception {
        final int code;

        Failure(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    String version() {
        try {
            return string((MemorySegment) libversion.invokeExact());
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** {@code sqlite3_open_v2(path, flags)} with a busy timeout; the handle must be {@link #close}d. */
    MemorySegment open(String path, int flags, int busyMillis) throws Failure {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pp = a.allocate(ADDRESS);
            int rc = (int) openV2.invokeExact(cstring(a, path), pp, flags, MemorySegment.NULL);
            MemorySegment db = pp.get(ADDRESS, 0);
            if (rc != OK) {
                String msg = db.equals(MemorySegment.NULL) ? errstr(rc) : errmsg(db);
                if (!db.equals(MemorySegment.NULL)) close(db);
                throw new Failure(rc, msg);
            }
            int brc = (int) busyTimeout.invokeExact(db, busyMillis);
            if (brc != OK) {
                close(db);
                throw new Failure(brc, errstr(brc));
            }
            return db;
        } catch (Failure e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    void close(MemorySegment db) {
        try {
            int ignored = (int) closeV2.invokeExact(db);
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** What one statement produced: column 0 of each row (null for SQL NULL), or the step that failed. */
    record Result(List<String> column0, int failedCode, String failedMessage) {}

    /**
     * Prepares the first statement of {@code sql} (the rest is ignored, as Postfix does), steps
     * through its rows keeping column 0 of each (text up to its first NUL, as a C string), and
     * finalizes it. {@code maxRows} bounds the rows kept: a limit of what a lookup may return.
     *
     * @throws Failure when the statement cannot be prepared
     */
    Result query(MemorySegment db, String sql, int maxRows) throws Failure {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pp = a.allocate(ADDRESS);
            int rc = (int) prepareV2.invokeExact(db, cstring(a, sql), -1, pp, MemorySegment.NULL);
            MemorySegment stmt = pp.get(ADDRESS, 0);
            if (rc != OK) {
                String msg = errmsg(db);
                if (!stmt.equals(MemorySegment.NULL)) {
                    int ignored = (int) finalizeStmt.invokeExact(stmt);
                }
                throw new Failure(rc, msg);
            }
            List<String> rows = new ArrayList<>();
            if (stmt.equals(MemorySegment.NULL)) return new Result(rows, OK, null); // empty statement
            try {
                while (true) {
                    int s = (int) step.invokeExact(stmt);
                    if (s == DONE) return new Result(rows, OK, null);
                    if (s != ROW) return new Result(rows, s, errmsg(db));
                    if ((int) columnType.invokeExact(stmt, 0) == NULL) {
                        rows.add(null);
                    } else {
                        MemorySegment text = (MemorySegment) columnText.invokeExact(stmt, 0);
                        int n = (int) columnBytes.invokeExact(stmt, 0);
                        rows.add(text.equals(MemorySegment.NULL) ? null : cText(text, n));
                    }
                    if (rows.size() > maxRows) return new Result(rows, OK, null);
                }
            } finally {
                int ignored = (int) finalizeStmt.invokeExact(stmt);
            }
        } catch (Failure e) {
            throw e;
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    private String errmsg(MemorySegment db) throws Throwable {
        return string((MemorySegment) errmsg.invokeExact(db));
    }

    private String errstr(int rc) {
        try {
            return string((MemorySegment) errstr.invokeExact(rc));
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** A C string of bytes: ISO-8859-1 chars, one per byte. */
    private static MemorySegment cstring(Arena a, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment m = a.allocate(b.length + 1L);
        MemorySegment.copy(b, 0, m, JAVA_BYTE, 0, b.length);
        m.set(JAVA_BYTE, b.length, (byte) 0);
        return m;
    }

    /** {@code n} bytes at {@code p}, cut at the first NUL as C code sees them. */
    private static String cText(MemorySegment p, int n) {
        byte[] b = p.reinterpret(n).toArray(JAVA_BYTE);
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.ISO_8859_1);
    }

    private static String string(MemorySegment p) {
        if (p.equals(MemorySegment.NULL)) return "";
        return p.reinterpret(Integer.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    }
}
