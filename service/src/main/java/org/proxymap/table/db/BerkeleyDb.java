package org.proxymap.table.db;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import org.proxymap.ffm.NativeLibrary;

/**
 * The system's Berkeley DB 5.3 ({@code libdb-5.3.so}, Debian package libdb5.3), the library
 * Debian's postmap writes hash: and btree: files with, through Java's FFM API. Debian's build
 * exports the method implementations ({@code __db_get_pp}, ...) that the function pointers of
 * {@code struct __db} point to, so only {@code DBT} is laid out here; signatures are those of
 * db_iface.c in 5.3.28.
 */
public final class BerkeleyDb {
    public static final String SONAME = "libdb-5.3.so";
    /** The packages that provide it, for the log line on hosts without it. */
    public static final String PACKAGE_HINT = "install the package that provides " + SONAME
            + " (Debian/Ubuntu: libdb5.3; RHEL: libdb) or convert the table to lmdb: or cdb:";
    public static final int BTREE = 1;
    public static final int HASH = 2;

    static final int DB_CREATE = 0x1;
    static final int DB_RDONLY = 0x400;
    static final int DB_FCNTL_LOCKING = 0x800;
    static final int DB_INIT_MPOOL = 0x400;
    static final int DB_PRIVATE = 0x10000;
    static final int DB_FIRST = 7;
    static final int DB_NEXT = 16;
    public static final int DB_NOTFOUND = -30988;
    public static final int DB_KEYEXIST = -30994;
    public static final int DB_KEYEMPTY = -30995;

    private static final NativeLibrary.Binding<BerkeleyDb> LIBRARY = NativeLibrary.bind(SONAME, BerkeleyDb::new, PACKAGE_HINT);

    final MethodHandle envCreate;
    final MethodHandle envOpen;
    final MethodHandle envClose;
    final MethodHandle create;
    final MethodHandle open;
    final MethodHandle close;
    final MethodHandle get;
    final MethodHandle put;
    final MethodHandle del;
    final MethodHandle sync;
    final MethodHandle fd;
    final MethodHandle cursor;
    final MethodHandle cursorGet;
    final MethodHandle cursorClose;
    final MethodHandle verify;
    private final MethodHandle strerror;
    private final MethodHandle version;

    private BerkeleyDb(NativeLibrary lib) {
        envCreate = lib.function("db_env_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        envOpen = lib.function("__env_open_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        envClose = lib.function("__env_close_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        create = lib.function("db_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        open = lib.function("__db_open_pp",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        close = lib.function("__db_close_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        get = lib.function("__db_get_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        put = lib.function("__db_put_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        del = lib.function("__db_del_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        sync = lib.function("__db_sync_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        fd = lib.function("__db_fd_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cursor = lib.function("__db_cursor_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        cursorGet = lib.function("__dbc_get_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        cursorClose = lib.function("__dbc_close_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        verify = lib.function("__db_verify_pp", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        strerror = lib.function("db_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        version = lib.function("db_version", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    }

    /**
     * The loaded library, checked to be 5.3 as Postfix checks it (dict_db_open).
     *
     * @throws DbException with a message naming the package to install when it is missing
     */
    public static BerkeleyDb load() throws DbException {
        BerkeleyDb lib = LIBRARY.orElseThrow(why -> new DbException(0, why));
        String v = lib.version();
        if (!v.startsWith("5.3.")) {
            throw new DbException(0, "incorrect version of Berkeley DB: expected 5.3, run-time linked against " + v);
        }
        return lib;
    }

    /** The run-time version, major.minor.patch. */
    public String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT);
            MemorySegment minor = a.allocate(JAVA_INT);
            MemorySegment patch = a.allocate(JAVA_INT);
            MemorySegment unused = (MemorySegment) version.invokeExact(major, minor, patch);
            return major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0) + "." + patch.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeLibrary.rethrow(t);
        }
    }

    /** db_strerror(): Berkeley DB's text for its own codes and for errno values. */
    public String message(int code) {
        return NativeLibrary.errorText(strerror, code);
    }

    /**
     * Opens {@code file} as Postfix's dict_db_open() does: in a private environment whose home
     * is the file's directory, with {@code DB_FCNTL_LOCKING}, read-only or creating it.
     */
    public Database open(Path file, int type, boolean writable) throws DbException {
        return Database.open(this, file, type, writable);
    }

    /**
     * {@code db->verify()}: walks every page of {@code file} and checks its structure (page
     * types, item sizes, links that loop). Run before a file is used, because the library
     * trusts what it reads: a damaged link can send a lookup round a loop for ever.
     */
    public void verify(Path file) throws DbException {
        Database.verify(this, file);
    }
}
