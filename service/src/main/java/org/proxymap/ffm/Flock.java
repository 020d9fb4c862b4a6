package org.proxymap.ffm;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * {@code flock(2)} on a file descriptor, the lock Postfix takes on Linux ({@code INTERNAL_LOCK}
 * is {@code MYFLOCK_STYLE_FLOCK} in sys_defs.h). Java's FileChannel locks are fcntl record
 * locks, which do not exclude flock holders: postmap, postqueue and postscreen would not see them.
 */
public final class Flock {
    public static final int SHARED = 1;     // LOCK_SH
    public static final int EXCLUSIVE = 2;  // LOCK_EX
    public static final int NONBLOCK = 4;   // LOCK_NB
    public static final int UNLOCK = 8;     // LOCK_UN
    private static final int EINTR = 4;
    private static final int EWOULDBLOCK = 11;

    private static final StructLayoutHolder STATE = new StructLayoutHolder();
    private static final MethodHandle FLOCK = NativeLibrary.libc().function("flock",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));
    /** The same call without errno: the common case, a lock granted, needs no capture buffer. */
    private static final MethodHandle FLOCK_FAST = NativeLibrary.libc().function("flock",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN = NativeLibrary.libc().function("open",
            FunctionDescriptor.of(JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS, JAVA_INT), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = NativeLibrary.libc().function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final MethodHandle STRERROR = NativeLibrary.libc().function("strerror",
            FunctionDescriptor.of(java.lang.foreign.ValueLayout.ADDRESS, JAVA_INT));

    private static final class StructLayoutHolder {
        final MemoryLayout layout = Linker.Option.captureStateLayout();
        final VarHandle errno = layout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    }

    private Flock() {}

    /**
     * {@code flock(fd, op)}, retried on EINTR.
     *
     * @return false only for {@code NONBLOCK} when another holder has the lock
     * @throws IOException with strerror's text on any other failure
     */
    public static boolean apply(int fd, int op) throws IOException {
        try {
            if ((int) FLOCK_FAST.invokeExact(fd, op) == 0) return true;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        // failed: again with errno captured (a retry is what EINTR needs; NONBLOCK fails the same way again)
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE.layout);
            while (true) {
                int rc = (int) FLOCK.invokeExact(state, fd, op);
                if (rc == 0) return true;
                int errno = (int) STATE.errno.get(state, 0L);
                if (errno == EINTR) continue;
                if (errno == EWOULDBLOCK && (op & NONBLOCK) != 0) return false;
                throw new IOException("flock: " + strerror(errno));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A file opened read-only and locked; closing the descriptor releases the lock. */
    public static final class Held implements AutoCloseable {
        private final int fd;

        private Held(int fd) { this.fd = fd; }

        /** The open descriptor (for {@link OpenFileStatus}). */
        public int fd() { return fd; }

        @Override
        public void close() {
            try {
                int unused = (int) CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /**
     * Opens {@code file} read-only and takes a {@code op} lock on it (Postfix's lock on open).
     *
     * @return null when {@code op} has NONBLOCK and another holder has the lock
     */
    public static Held open(java.nio.file.Path file, int op) throws IOException {
        Held held = open(file);
        try {
            if (apply(held.fd, op)) return held;
            held.close();
            return null;
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
    }

    /** Opens {@code file} read-only, not locked yet: a descriptor of its own to lock (an open file description of its own). */
    public static Held open(java.nio.file.Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE.layout);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), O_RDONLY_CLOEXEC);
            if (fd < 0) throw new IOException(file + ": " + strerror((int) STATE.errno.get(state, 0L)));
            return new Held(fd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The C library's text for {@code errno}. */
    public static String strerror(int errno) {
        return NativeLibrary.errorText(STRERROR, errno);
    }
}
