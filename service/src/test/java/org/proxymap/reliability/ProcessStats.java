package org.proxymap.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** File descriptors, platform threads and heap of this JVM, as the reliability tests sample them. */
record ProcessStats(long fds, int threads, long heapBytes) {
    static ProcessStats sample(boolean gc) {
        if (gc) {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Clients.sleep(50);
            }
        }
        return new ProcessStats(openFds(), ManagementFactory.getThreadMXBean().getThreadCount(),
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    static long openFds() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The soft limit on open files of this process (ulimit -n), from /proc/self/limits. */
    static long fdLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) return Long.parseLong(line.substring(25).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no limit known
        }
        return Long.MAX_VALUE;
    }

    @Override
    public String toString() {
        return String.format("%d fds, %d threads, %.1f MiB heap", fds, threads, heapBytes / 1048576.0);
    }
}
