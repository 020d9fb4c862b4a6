package org.proxymap.systemd;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.proxymap.ffm.NativeLibrary;

/**
 * sd_notify(3) for {@code Type=notify} units: state lines ({@code READY=1}, {@code STATUS=...},
 * {@code WATCHDOG=1}, {@code STOPPING=1}) sent as one datagram to the AF_UNIX socket named by
 * {@code NOTIFY_SOCKET}. The JDK has no AF_UNIX datagram sockets, so socket(2), sendto(2) and
 * close(2) are called through the FFM API; nothing is written when systemd did not ask for it.
 *
 * <p>Under jsvc the JVM is a child of jsvc's controller, which is the unit's main process:
 * the unit says {@code NotifyAccess=all}, and {@code WATCHDOG_PID} (the main process) is not
 * ours, so {@link #fromEnvironment} is told to accept the watchdog anyway.
 */
public final class SystemdNotify {
    private static final int AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, MSG_NOSIGNAL = 0x4000;
    private static final int SUN_PATH = 108;
    private static final SystemdNotify OFF = new SystemdNotify(null, null);

    private final String socket;
    private final Duration watchdog;
    private volatile long nextPing;

    private SystemdNotify(String socket, Duration watchdog) {
        this.socket = socket;
        this.watchdog = watchdog;
    }

    /**
     * From {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID}.
     *
     * @param childOfMainProcess true under jsvc: the watchdog is ours although WATCHDOG_PID is the controller's
     */
    public static SystemdNotify fromEnvironment(boolean childOfMainProcess) {
        String s = System.getenv("NOTIFY_SOCKET");
        if (s == null || s.isEmpty() || !(s.startsWith("/") || s.startsWith("@")) || s.length() >= SUN_PATH) return OFF;
        Duration wd = null;
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        boolean ours = childOfMainProcess || pid == null || pid.equals(Long.toString(ProcessHandle.current().pid()));
        if (usec != null && ours) {
            try {
                long us = Long.parseLong(usec.trim());
                if (us > 0) wd = Duration.ofNanos(us * 1000);
            } catch (NumberFormatException e) {
                // systemd writes digits; anything else means no watchdog
            }
        }
        return new SystemdNotify(s, wd);
    }

    public boolean enabled() { return socket != null; }

    /** The interval systemd expects pings within, or null when there is no watchdog. */
    public Duration watchdogInterval() { return watchdog; }

    /**
     * Pings the watchdog when half its interval has passed since the last ping; cheap to call
     * often (the server's watchdog thread calls it every scan, so a stalled process stops pinging).
     */
    public void watchdogTick() {
        if (watchdog == null) return;
        long now = System.nanoTime();
        if (now - nextPing < 0) return;
        nextPing = now + watchdog.toNanos() / 2;
        send("WATCHDOG=1");
    }

    /** Sends newline-separated assignments; false when systemd is not listening or the send failed. */
    public boolean send(String state) {
        if (socket == null) return false;
        try {
            return Native.send(socket, (state.endsWith("\n") ? state : state + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (Throwable e) { // no native access, or a libc without these symbols: notifications are best effort
            return false;
        }
    }

    /** The libc calls, looked up on first use. */
    private static final class Native {
        private static final MethodHandle SOCKET, SENDTO, CLOSE;

        static {
            NativeLibrary libc = NativeLibrary.libc();
            SOCKET = libc.function("socket",
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            SENDTO = libc.function("sendto",
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            CLOSE = libc.function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        }

        static boolean send(String path, byte[] message) throws Throwable {
            byte[] name = path.getBytes(StandardCharsets.UTF_8);
            if (name.length >= SUN_PATH) return false;
            try (Arena arena = Arena.ofConfined()) {
                // struct sockaddr_un: sa_family_t sun_family; char sun_path[108]; "@name" is abstract (leading NUL)
                MemorySegment addr = arena.allocate(2 + SUN_PATH);
                addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
                MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
                boolean abstractName = name[0] == '@';
                if (abstractName) addr.set(ValueLayout.JAVA_BYTE, 2, (byte) 0);
                int addrLen = 2 + name.length + (abstractName ? 0 : 1);
                MemorySegment buf = arena.allocate(Math.max(1, message.length));
                MemorySegment.copy(message, 0, buf, ValueLayout.JAVA_BYTE, 0, message.length);
                int fd = (int) SOCKET.invokeExact(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0) return false;
                try {
                    long sent = (long) SENDTO.invokeExact(fd, buf, (long) message.length, MSG_NOSIGNAL, addr, addrLen);
                    return sent == message.length;
                } finally {
                    int ignored = (int) CLOSE.invokeExact(fd);
                }
            }
        }
    }
}
