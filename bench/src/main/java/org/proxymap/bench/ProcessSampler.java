package org.proxymap.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CPU time and resident memory of a server's whole process tree, read from
 * {@code /proc/PID/stat}: for Postfix, master and every child (proxymap, postlogd), plus
 * the children master reaped meanwhile (its cutime/cstime); for a JVM, the one process.
 * {@link #pssBytes()} sums the tree's proportional set size from {@code /proc/PID/smaps_rollup}
 * (shared pages split between the processes that map them: Postfix's processes share their
 * libraries, so their RSS would count them once per process).
 */
final class ProcessSampler {
    /** Linux's USER_HZ on every architecture the JDK runs on. */
    static final int TICKS_PER_SECOND = 100;
    private static final long PAGE_SIZE = 4096;

    /** @param ticks user+system CPU ticks; @param rssBytes resident memory; @param processes live processes */
    record Sample(long ticks, long rssBytes, int processes) {
        double cpuSeconds() { return ticks / (double) TICKS_PER_SECOND; }
    }

    private record Stat(long pid, long ppid, long ticks, long childTicks, long rssPages) {}

    private final List<Long> roots;

    ProcessSampler(List<Long> roots) { this.roots = List.copyOf(roots); }

    Sample sample() {
        if (roots.isEmpty()) return new Sample(0, 0, 0); // nothing to follow: skip reading /proc
        long ticks = 0, rss = 0;
        int n = 0;
        for (Stat s : tree()) {
            ticks += s.ticks;
            if (roots.contains(s.pid)) ticks += s.childTicks; // reaped children (Postfix's max_use churn)
            rss += s.rssPages * PAGE_SIZE;
            n++;
        }
        return new Sample(ticks, rss, n);
    }

    /** PSS of the live tree now, in bytes (0 without roots; a process that exits meanwhile counts 0). */
    long pssBytes() {
        long kb = 0;
        for (Stat s : roots.isEmpty() ? List.<Stat>of() : tree()) {
            try {
                kb += pssKb(Files.readString(Path.of("/proc", Long.toString(s.pid), "smaps_rollup")));
            } catch (IOException e) {
                // exited meanwhile, or not ours to read (scripts/bench runs as root)
            }
        }
        return kb * 1024;
    }

    /** The {@code Pss:} line of a smaps_rollup text, in kB (0 when it has none). */
    static long pssKb(String smapsRollup) {
        for (String line : smapsRollup.split("\n")) {
            if (!line.startsWith("Pss:")) continue; // not Pss_Anon:, Pss_File:, ...
            String[] f = line.substring(4).trim().split("\\s+");
            if (f.length != 2 || !f[1].equals("kB")) throw new IllegalArgumentException("unexpected smaps_rollup line: " + line);
            return Long.parseLong(f[0]);
        }
        return 0;
    }

    /** The live processes of the tree under the roots. */
    private List<Stat> tree() {
        Map<Long, Stat> all = new HashMap<>();
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path p : ds) {
                Stat s = read(p.resolve("stat"));
                if (s == null) continue;
                all.put(s.pid, s);
                children.computeIfAbsent(s.ppid, k -> new ArrayList<>()).add(s.pid);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        List<Stat> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        List<Long> todo = new ArrayList<>(roots);
        while (!todo.isEmpty()) {
            long pid = todo.removeLast();
            Stat s = all.get(pid);
            if (s == null || !seen.add(pid)) continue;
            out.add(s);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return out;
    }

    /** CPU ticks of this JVM (the load generator itself). */
    static long selfTicks() {
        Stat s = read(Path.of("/proc/self/stat"));
        return s == null ? 0 : s.ticks;
    }

    /** Busy and total ticks of the whole machine, from {@code /proc/stat}. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0, idle = 0;
            for (int i = 1; i < f.length; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) idle += v; // idle, iowait
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    private static Stat read(Path stat) {
        String line;
        try {
            line = Files.readString(stat);
        } catch (IOException e) {
            return null; // exited meanwhile
        }
        int close = line.lastIndexOf(')'); // the command name may contain spaces and parentheses
        if (close < 0) return null;
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] = field 3 (state); ppid is field 4, utime..cstime fields 14..17, rss field 24
        long pid = Long.parseLong(line.substring(0, line.indexOf(' ')));
        return new Stat(pid, Long.parseLong(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12]),
                Long.parseLong(f[13]) + Long.parseLong(f[14]), Long.parseLong(f[21]));
    }
}
