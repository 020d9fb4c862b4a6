package org.proxymap.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.proxymap.testing.Trees;
import java.util.stream.Stream;

/**
 * The daemon as an operator runs it: {@code scripts/proxymap -c DIR [--jsvc USER]} in its own
 * process, output in {@code DIR/out.log}. Everything it needs lives under /tmp, readable by
 * an unprivileged user: the configuration, {@code queue/private} (owned by the service
 * user, 0700, as Postfix has it) and a copy of this test JVM's classpath and of scripts/ (the
 * jar exists only after {@code package}, and neither ~/.m2 nor the checkout need be readable
 * by that user).
 */
final class DaemonProcess implements AutoCloseable {
    private static Path classpathCopy;

    final Path dir;
    final Path etc;
    final Path privateDir;
    final Path log;
    final Path pidfile;
    private Process process;

    private DaemonProcess(Path dir) {
        this.dir = dir;
        this.etc = dir.resolve("etc");
        this.privateDir = dir.resolve("queue/private");
        this.log = dir.resolve("out.log");
        this.pidfile = dir.resolve("jsvc.pid");
    }

    /** A fresh /tmp directory with etc/main.cf = {@code mainCf} + queue_directory, and queue/private owned by {@code user}. */
    static DaemonProcess prepare(String mainCf, String user) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pmd");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        DaemonProcess d = new DaemonProcess(dir);
        Files.createDirectories(d.etc);
        Files.createDirectories(d.privateDir);
        Files.setPosixFilePermissions(d.privateDir, PosixFilePermissions.fromString("rwx------"));
        if (user != null) Files.setOwner(d.privateDir, principal(user));
        Files.writeString(d.etc.resolve("main.cf"), mainCf.replace("@DIR@", dir.toString())
                + "\nqueue_directory = " + dir.resolve("queue") + "\n");
        return d;
    }

    static UserPrincipal principal(String user) throws IOException {
        return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
    }

    /** Numeric uid of {@code user}, as /proc shows it. */
    static int uid(String user) throws IOException {
        Path probe = Files.createTempFile(Path.of("/tmp"), "uid", "");
        try {
            Files.setOwner(probe, principal(user));
            return (Integer) Files.getAttribute(probe, "unix:uid");
        } finally {
            Files.delete(probe);
        }
    }

    void write(String name, String content) throws IOException {
        Files.writeString(etc.resolve(name), content.replace("@DIR@", dir.toString()));
    }

    /** Starts {@code scripts/proxymap -c etc [--jsvc user]}; the process pid is jsvc's controller (or the JVM). */
    DaemonProcess start(String jsvcUser) throws IOException {
        return start(jsvcUser, List.of());
    }

    /** As {@link #start(String)}, run through {@code prefix} (e.g. setpriv with a unit's restrictions). */
    DaemonProcess start(String jsvcUser, List<String> prefix) throws IOException {
        return start(jsvcUser, prefix, java.util.Map.of());
    }

    /** As {@link #start(String, List)}, with these variables added to the launcher's environment. */
    DaemonProcess start(String jsvcUser, List<String> prefix, java.util.Map<String, String> env) throws IOException {
        String classpath = classpath();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(classpathCopy.resolve("scripts/proxymap").toString(), "-c", etc.toString()));
        if (jsvcUser != null) cmd.addAll(List.of("--jsvc", jsvcUser));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PROXYMAP_CLASSPATH", classpath);
        pb.environment().put("PROXYMAP_PIDFILE", pidfile.toString());
        pb.environment().putAll(env);
        process = pb.start();
        return this;
    }

    Process process() { return process; }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for a log line matching {@code regex}; fails with the whole log if it does not come or the process ends. */
    void awaitLog(String regex, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (p.matcher(output()).find()) return;
            if (!process.isAlive() && !p.matcher(output()).find()) {
                throw new AssertionError("daemon exited (" + process.exitValue() + ") before logging /" + regex + "/:\n" + output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no log line /" + regex + "/ within " + timeout + ":\n" + output());
    }

    /** Waits for the process to end and returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("daemon still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    void signal(String name) throws IOException, InterruptedException {
        signal(name, process.pid());
    }

    static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("/bin/kill", "-" + name, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) throw new AssertionError("kill -" + name + " " + pid + " failed");
    }

    long jvmPidFromPidfile() throws IOException {
        return Long.parseLong(Files.readString(pidfile).trim());
    }

    Path socket(String name) { return privateDir.resolve(name); }

    @Override
    public void close() throws IOException {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: jsvc stops the JVM too
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Trees.delete(dir);
    }

    static Path script() {
        return projectDir().resolve("scripts/proxymap");
    }

    static Path projectDir() {
        String project = System.getProperty("proxymap.project.dir");
        return project != null ? Path.of(project) : Path.of("").toAbsolutePath().getParent();
    }

    /**
     * A setpriv(1) command line with the restrictions of a systemd unit in etc/: its
     * NoNewPrivileges and CapabilityBoundingSet, and its User (replaced by {@code user}) if it has one.
     */
    static List<String> setprivLike(String unit, String user) throws IOException {
        List<String> lines = Files.readAllLines(projectDir().resolve("etc").resolve(unit));
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv"));
        for (String l : lines) {
            if (l.equals("NoNewPrivileges=yes")) cmd.add("--no-new-privs");
            if (l.startsWith("CapabilityBoundingSet=")) {
                StringBuilder set = new StringBuilder("-all");
                for (String cap : l.substring(l.indexOf('=') + 1).trim().split("\\s+")) {
                    if (!cap.isEmpty()) set.append(",+").append(cap.toLowerCase(java.util.Locale.ROOT).replaceFirst("^cap_", ""));
                }
                cmd.addAll(List.of("--bounding-set", set.toString(), "--inh-caps", "-all"));
            }
            if (l.startsWith("User=")) {
                cmd.addAll(List.of("--reuid", user, "--regid", Integer.toString(gid(user)), "--clear-groups"));
            }
        }
        return cmd;
    }

    /** The primary group id of {@code user}, from /etc/passwd. */
    static int gid(String user) throws IOException {
        for (String l : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = l.split(":");
            if (f.length > 3 && f[0].equals(user)) return Integer.parseInt(f[3]);
        }
        throw new IOException("no user " + user + " in /etc/passwd");
    }

    /** This JVM's classpath minus test classes, copied once to a world-readable /tmp directory. */
    static synchronized String classpath() throws IOException {
        if (classpathCopy == null) {
            Path copy = Files.createTempDirectory(Path.of("/tmp"), "pmcp");
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path lib = Files.createDirectories(copy.resolve("lib"));
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (entry.isEmpty() || !Files.exists(p) || p.endsWith("test-classes")) continue;
                if (Files.isDirectory(p)) {
                    copyTree(p, copy.resolve("classes" + n++));
                } else {
                    Files.copy(p, lib.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            // the scripts too: the plain-JVM test runs them as the service user, who may not
            // be able to enter the checkout (a clone under a 0700 directory)
            copyTree(script().getParent(), copy.resolve("scripts"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Stream<Path> s = Files.walk(copy)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // /tmp is cleaned eventually anyway
                }
            }));
            classpathCopy = copy;
        }
        StringBuilder cp = new StringBuilder();
        try (Stream<Path> s = Files.list(classpathCopy)) {
            s.filter(p -> p.getFileName().toString().startsWith("classes")).sorted()
                    .forEach(p -> cp.append(p).append(':'));
        }
        return cp.append(classpathCopy.resolve("lib")).append("/*").toString();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
