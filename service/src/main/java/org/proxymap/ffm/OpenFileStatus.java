package org.proxymap.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What an open descriptor's file looks like now ({@code statx(fd, "", AT_EMPTY_PATH)}), the
 * check Postfix's dict_changed() makes with fstat(): the file was rewritten when its size or
 * mtime moved, and replaced or removed when it has no links left. One system call on the
 * descriptor, no path walk: cheap enough for every lookup. statx's buffer has the same layout
 * on every architecture, where struct stat does not.
 */
public final class OpenFileStatus {
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final long STATX_SIZE_BYTES = 256;
    private static final long NLINK = 16;        // __u32 stx_nlink
    private static final long INODE = 32;        // __u64 stx_ino
    private static final long SIZE = 40;         // __u64 stx_size
    private static final long CTIME = 96;        // struct statx_timestamp stx_ctime: __s64 tv_sec, __u32 tv_nsec
    private static final long MTIME = 112;       // struct statx_timestamp stx_mtime

    /** statx's path argument: empty, with AT_EMPTY_PATH the descriptor itself; made once, read-only */
    private static final MemorySegment EMPTY_PATH = Arena.global().allocateFrom("");
    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle STATX = NativeLibrary.libc().function("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.captureCallState("errno"));

    /**
     * The file's identity and contents' stamp.
     *
     * @param links 0 once the file was removed or replaced by another under its name
     * @param ctimeNanos the inode's last change: set by the kernel's clock at every write,
     *                   rename or utime(), so unlike mtime no process can set it back
     */
    public record Status(long inode, long size, long mtimeNanos, long ctimeNanos, int links) {
        /** Same file, same size and mtime: nobody wrote to it since {@code earlier}. */
        public boolean unchangedSince(Status earlier) {
            return links > 0 && inode == earlier.inode && size == earlier.size && mtimeNanos == earlier.mtimeNanos;
        }
    }

    private OpenFileStatus() {}

    /** The status of the file open on {@code fd}. */
    public static Status of(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment buf = arena.allocate(STATX_SIZE_BYTES, 8);
            int rc = (int) STATX.invokeExact(state, fd, EMPTY_PATH, AT_EMPTY_PATH, STATX_BASIC_STATS, buf);
            if (rc != 0) throw new IOException("statx: " + Flock.strerror((int) ERRNO.get(state, 0L)));
            return new Status(buf.get(JAVA_LONG, INODE), buf.get(JAVA_LONG, SIZE), nanos(buf, MTIME), nanos(buf, CTIME),
                    buf.get(JAVA_INT, NLINK));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static long nanos(MemorySegment buf, long timestamp) {
        return buf.get(JAVA_LONG, timestamp) * 1_000_000_000L + Integer.toUnsignedLong(buf.get(JAVA_INT, timestamp + 8));
    }
}
