package org.proxymap.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.NoSuchElementException;

/**
 * A system shared library opened through Java's FFM API (java.lang.foreign): its functions
 * as method handles. The library stays loaded for the life of the JVM.
 */
public final class NativeLibrary {
    static final Linker LINKER = Linker.nativeLinker();
    private final String soname;
    private final SymbolLookup symbols;

    private NativeLibrary(String soname, SymbolLookup symbols) {
        this.soname = soname;
        this.symbols = symbols;
    }

    /**
     * Opens {@code soname} (e.g. {@code libdb-5.3.so}) as the dynamic linker finds it.
     *
     * @throws IllegalArgumentException when the library is not installed
     */
    public static NativeLibrary open(String soname) {
        return new NativeLibrary(soname, SymbolLookup.libraryLookup(soname, Arena.global()));
    }

    /** The C library the JVM is linked with (flock, ...). */
    public static NativeLibrary libc() {
        return new NativeLibrary("libc", LINKER.defaultLookup());
    }

    public String soname() { return soname; }

    /**
     * The function {@code name} with C signature {@code descriptor}.
     *
     * @throws IllegalArgumentException when the library does not export it (another version)
     */
    public MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address;
        try {
            address = symbols.findOrThrow(name);
        } catch (NoSuchElementException e) {
            throw new IllegalArgumentException(soname + " does not export " + name, e);
        }
        return LINKER.downcallHandle(address, descriptor, options);
    }
}
