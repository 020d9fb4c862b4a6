package org.proxymap.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * A system shared library opened through Java's FFM API (java.lang.foreign): its functions
 * as method handles. The library stays loaded for the life of the JVM. The one place that
 * looks up native symbols; {@link #bind} is the one way to load a library a host may lack.
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
     * A library's functions bound once, or why they could not be: the library is missing, or
     * is a version that does not export one of them.
     */
    public static final class Binding<T> {
        private final T functions;
        private final String unavailable;

        private Binding(T functions, String unavailable) {
            this.functions = functions;
            this.unavailable = unavailable;
        }

        /** The bound functions, or {@code error} of the reason ("cannot load X (...): fix"). */
        public <X extends Exception> T orElseThrow(Function<String, X> error) throws X {
            if (functions == null) throw error.apply(unavailable);
            return functions;
        }

        /** The bound functions, or null. */
        public T orNull() { return functions; }

        /** Why the library is not there, or null when it is. */
        public String unavailable() { return unavailable; }
    }

    /**
     * Opens {@code soname} and binds its functions with {@code binder}; on a host without it
     * the binding says "cannot load soname (reason): fix".
     */
    public static <T> Binding<T> bind(String soname, Function<NativeLibrary, T> binder, String fix) {
        try {
            return new Binding<>(binder.apply(open(soname)), null);
        } catch (IllegalArgumentException | IllegalCallerException | UnsatisfiedLinkError e) {
            return new Binding<>(null, "cannot load " + soname + " (" + e.getMessage() + "): " + fix);
        }
    }

    /**
     * The text of a C function shaped as {@code const char *strerror(int)} for {@code code}
     * ("error N" when it has none, or the call fails).
     */
    public static String errorText(MethodHandle strerror, int code) {
        try {
            MemorySegment s = (MemorySegment) strerror.invokeExact(code);
            return s.equals(MemorySegment.NULL) ? "error " + code : s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "error " + code;
        }
    }

    /**
     * For {@code catch (Throwable t)} around {@code invokeExact}: an unchecked throwable as it
     * is (an Error is thrown here), anything else, which a C function cannot throw, wrapped.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

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
