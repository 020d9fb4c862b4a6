package org.proxymap.table.mdb;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import org.proxymap.ffm.NativeLibrary;

/**
 * The system's LMDB ({@code liblmdb.so.0}, Debian package liblmdb0: the library Debian's
 * postmap and postfix-lmdb use), through Java's FFM API. Only {@code MDB_val} is laid out here.
 */
public final class Lmdb {
    public static final String SONAME = "liblmdb.so.0";
    static final int MDB_NOSUBDIR = 0x4000;
    static final int MDB_RDONLY = 0x20000;
    static final int MDB_NOLOCK = 0x400000;
    static final int MDB_CREATE = 0x40000;
    static final int MDB_FIRST = 0;
    static final int MDB_NEXT = 8;
    public static final int MDB_NOTFOUND = -30798;
    public static final int MDB_MAP_FULL = -30792;
    public static final int MDB_MAP_RESIZED = -30785;

    private static final NativeLibrary.Binding<Lmdb> LIBRARY = NativeLibrary.bind(SONAME, Lmdb::new,
            "install the package that provides it (Debian/Ubuntu: liblmdb0; RHEL: lmdb-libs) or convert the table to cdb:");

    final MethodHandle envCreate;
    final MethodHandle envSetMapsize;
    final MethodHandle envOpen;
    final MethodHandle envClose;
    final MethodHandle envGetFd;
    final MethodHandle txnBegin;
    final MethodHandle txnCommit;
    final MethodHandle txnAbort;
    final MethodHandle dbiOpen;
    final MethodHandle get;
    final MethodHandle put;
    final MethodHandle del;
    final MethodHandle cursorOpen;
    final MethodHandle cursorGet;
    final MethodHandle cursorClose;
    private final MethodHandle strerror;

    private Lmdb(NativeLibrary lib) {
        envCreate = lib.function("mdb_env_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        envSetMapsize = lib.function("mdb_env_set_mapsize", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        envOpen = lib.function("mdb_env_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        envClose = lib.function("mdb_env_close", FunctionDescriptor.ofVoid(ADDRESS));
        envGetFd = lib.function("mdb_env_get_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        txnBegin = lib.function("mdb_txn_begin", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        txnCommit = lib.function("mdb_txn_commit", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        txnAbort = lib.function("mdb_txn_abort", FunctionDescriptor.ofVoid(ADDRESS));
        dbiOpen = lib.function("mdb_dbi_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        get = lib.function("mdb_get", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        put = lib.function("mdb_put", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        del = lib.function("mdb_del", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        cursorOpen = lib.function("mdb_cursor_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        cursorGet = lib.function("mdb_cursor_get", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        cursorClose = lib.function("mdb_cursor_close", FunctionDescriptor.ofVoid(ADDRESS));
        strerror = lib.function("mdb_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /** The loaded library, or an exception naming the package to install. */
    public static Lmdb load() throws MdbException {
        return LIBRARY.orElseThrow(why -> new MdbException(0, why));
    }

    /** mdb_strerror(): LMDB's text for its codes and errno values. */
    public String message(int code) {
        return NativeLibrary.errorText(strerror, code);
    }

    /**
     * Opens {@code file} as slmdb does for Postfix: {@code MDB_NOSUBDIR | MDB_NOLOCK} (the
     * caller locks the file with flock), read-only or creating it, with a map of {@code mapSize}.
     */
    public Environment open(Path file, boolean writable, long mapSize) throws MdbException {
        return Environment.open(this, file, writable, mapSize);
    }
}
