package org.proxymap.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.proxymap.ffm.NativeLibrary;

/**
 * sd_listen_fds(3) for socket activation: the listening sockets a socket unit passes from fd 3
 * on ({@code LISTEN_FDS}, {@code LISTEN_FDNAMES}), for the process named by {@code LISTEN_PID}.
 * They stay open in systemd while the service restarts, so clients wait in the listen backlog
 * instead of finding no socket (a Postfix client then sleeps 10 s).
 *
 * <p>Java wraps only fd 0 as an inherited channel ({@code System.inheritedChannel()}), so a passed
 * socket is {@linkplain Socket#adopt adopted} by public API and three system calls: a fresh
 * {@link ServerSocketChannel} is bound to a placeholder path (an unbound one refuses to accept),
 * its descriptor is found by that path, and {@code dup3(2)} puts the passed socket under that
 * descriptor number, closing the placeholder's socket. The channel then accepts, blocks, closes and
 * is interrupted as any other; a check after the swap proves it holds the passed socket.
 *
 * <p>Under jsvc the JVM is a child of jsvc's controller, which systemd started: LISTEN_PID is the
 * parent's pid then (the controller forks and never execs, so the descriptors are inherited).
 */
public final class ListenFds {
    /** SD_LISTEN_FDS_START */
    public static final int FIRST_FD = 3;
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOL_SOCKET = 1, SO_TYPE = 3, SO_ACCEPTCONN = 30, SO_DOMAIN = 39;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SUN_PATH = 108;

    /**
     * What systemd passed to this process.
     *
     * @param sockets the descriptors, in order, with their names ("unknown" when unnamed)
     * @param ignored why LISTEN_FDS was set but not taken (another process's), or null
     */
    public record Passed(List<Socket> sockets, String ignored) {
        public boolean isEmpty() { return sockets.isEmpty(); }
    }

    /** One passed descriptor and its {@code FileDescriptorName=}. */
    public record Socket(int fd, String name) {
        /** The path this descriptor listens on when it is a listening AF_UNIX stream socket, else null. */
        public Path unixPath() {
            try {
                return Native.listeningUnixPath(fd);
            } catch (Throwable e) {
                return null;
            }
        }

        /**
         * A blocking channel that accepts on this socket. The descriptor {@link #fd} is closed
         * (the channel holds its own); the socket file is systemd's and stays where it is.
         *
         * @throws IOException when it is not a listening UNIX stream socket or cannot be adopted
         */
        public ServerSocketChannel adopt() throws IOException {
            Path bound = unixPath();
            if (bound == null) throw new IOException("fd " + fd + " (" + name + ") is not a listening UNIX stream socket");
            Path dir = Files.createTempDirectory("proxymap-adopt"); // 0700: nobody else connects to the placeholder
            Path placeholder = dir.resolve("s");
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.bind(UnixDomainSocketAddress.of(placeholder), 1);
                int target = descriptorBoundTo(placeholder);
                Native.dup3(fd, target);
                Path now = Native.listeningUnixPath(target);
                if (!bound.equals(now)) throw new IOException("fd " + target + " listens on " + now + " after dup3, not on " + bound);
                Native.close(fd);
                return ch;
            } catch (IOException e) {
                ch.close();
                throw new IOException("cannot serve the socket systemd passed as fd " + fd + " (" + name + ", " + bound + "): "
                        + e.getMessage(), e);
            } catch (Throwable e) {
                ch.close();
                throw new IOException("cannot serve the socket systemd passed as fd " + fd + " (" + name + ", " + bound + "): "
                        + e, e);
            } finally {
                Files.deleteIfExists(placeholder);
                Files.deleteIfExists(dir);
            }
        }

        /** Closes a descriptor that is not used. */
        public void close() {
            try {
                Native.close(fd);
            } catch (Throwable ignored) {
                // nothing to give back then
            }
        }
    }

    private ListenFds() {}

    /**
     * From the environment, as sd_listen_fds_with_names(3).
     *
     * @param childOfMainProcess true under jsvc: LISTEN_PID names the controller, our parent
     */
    public static Passed fromEnvironment(boolean childOfMainProcess) {
        if (System.getenv("LISTEN_FDS") == null) return new Passed(List.of(), null);
        long ppid;
        try {
            ppid = childOfMainProcess ? Native.getppid() : -1;
        } catch (Throwable e) {
            ppid = -1;
        }
        return parse(System.getenv(), ProcessHandle.current().pid(), ppid);
    }

    /**
     * The rules of sd_listen_fds: LISTEN_PID must be {@code pid} (or {@code parentPid} when that
     * is not -1), LISTEN_FDS a positive count; names come from LISTEN_FDNAMES when it has one per
     * descriptor.
     */
    static Passed parse(Map<String, String> env, long pid, long parentPid) {
        String fds = env.get("LISTEN_FDS");
        if (fds == null) return new Passed(List.of(), null);
        String listenPid = env.get("LISTEN_PID");
        long target;
        try {
            target = Long.parseLong(listenPid == null ? "" : listenPid.trim());
        } catch (NumberFormatException e) {
            return new Passed(List.of(), "LISTEN_PID is \"" + listenPid + "\", not a process id");
        }
        if (target != pid && (parentPid == -1 || target != parentPid)) {
            return new Passed(List.of(), "LISTEN_PID " + target + " is not this process (" + pid
                    + (parentPid == -1 ? "" : ", or its parent " + parentPid) + ")");
        }
        int n;
        try {
            n = Integer.parseInt(fds.trim());
        } catch (NumberFormatException e) {
            return new Passed(List.of(), "LISTEN_FDS is \"" + fds + "\", not a count");
        }
        if (n <= 0) return new Passed(List.of(), n == 0 ? null : "LISTEN_FDS is " + n);
        String names = env.get("LISTEN_FDNAMES");
        String[] name = names == null ? new String[0] : names.split(":", -1);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) sockets.add(new Socket(FIRST_FD + i, name.length == n ? name[i] : "unknown"));
        return new Passed(List.copyOf(sockets), null);
    }

    /** The descriptor of this process bound to {@code path}: each socket in /proc/self/fd, asked with getsockname. */
    private static int descriptorBoundTo(Path path) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                int fd;
                try {
                    fd = Integer.parseInt(p.getFileName().toString());
                    if (!Files.readSymbolicLink(p).toString().startsWith("socket:")) continue;
                } catch (NumberFormatException | IOException gone) {
                    continue; // the listing's own descriptor, or one closed meanwhile
                }
                if (path.equals(Native.listeningUnixPath(fd))) return fd;
            }
        }
        throw new IOException("no descriptor of this process is bound to " + path);
    }

    /** The libc calls, looked up on first use. */
    private static final class Native {
        private static final MethodHandle GETSOCKNAME = libc("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        private static final MethodHandle GETSOCKOPT = libc("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        private static final MethodHandle DUP3 = libc("dup3", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        private static final MethodHandle GETPPID = libc("getppid", FunctionDescriptor.of(JAVA_INT));

        private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
            return NativeLibrary.libc().function(name, descriptor);
        }

        static long getppid() throws Throwable {
            return (int) GETPPID.invokeExact();
        }

        private static int option(Arena arena, int fd, int name) throws Throwable {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment len = arena.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            int rc = (int) GETSOCKOPT.invokeExact(fd, SOL_SOCKET, name, value, len);
            return rc == 0 ? value.get(JAVA_INT, 0) : -1;
        }

        /** The path of a listening AF_UNIX stream socket, or null for anything else (or a closed descriptor). */
        static Path listeningUnixPath(int fd) throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                if (option(arena, fd, SO_DOMAIN) != AF_UNIX || option(arena, fd, SO_TYPE) != SOCK_STREAM
                        || option(arena, fd, SO_ACCEPTCONN) != 1) {
                    return null;
                }
                MemorySegment addr = arena.allocate(2 + SUN_PATH);
                MemorySegment len = arena.allocate(JAVA_INT);
                len.set(JAVA_INT, 0, 2 + SUN_PATH);
                if ((int) GETSOCKNAME.invokeExact(fd, addr, len) != 0) return null;
                int n = Math.min(len.get(JAVA_INT, 0), 2 + SUN_PATH) - 2;
                if (n <= 0 || addr.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2) == 0) return null; // unnamed or abstract
                byte[] path = addr.asSlice(2, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                int end = 0;
                while (end < path.length && path[end] != 0) end++;
                return Path.of(new String(path, 0, end, StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IOException(e);
            }
        }

        static void dup3(int from, int to) throws Throwable {
            if ((int) DUP3.invokeExact(from, to, O_CLOEXEC) != to) throw new IOException("dup3(" + from + ", " + to + ") failed");
        }

        static void close(int fd) throws Throwable {
            int ignored = (int) CLOSE.invokeExact(fd);
        }
    }
}
