package org.proxymap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.proxymap.testing.Trees;

/**
 * A private instance of the REAL Postfix (Debian's 3.7): its own main.cf and master.cf,
 * started with {@code postfix -c DIR/etc start} and stopped and removed by {@link #close()}.
 * By default proxymap-only (proxymap, proxywrite and postlog; nothing listens on TCP);
 * {@link #create} takes any master.cf (a whole mail system, see SmtpEndToEndTest).
 * Needs root (master refuses otherwise). The proxymap children run as {@code postfix}, so
 * the tables must be readable by it and their directories searchable (see ReferenceTables).
 */
public final class PostfixReference implements AutoCloseable {
    public static final Path POSTFIX = Path.of("/usr/sbin/postfix");
    public static final Path POSTMAP = Path.of("/usr/sbin/postmap");

    public final Path dir;
    public final Path etc;
    private boolean started;

    private PostfixReference(Path dir) {
        this.dir = dir;
        this.etc = dir.resolve("etc");
    }

    /** Whether this machine can run the reference: Postfix installed and we are root. */
    public static boolean available() {
        return Files.isExecutable(POSTFIX) && Files.isExecutable(POSTMAP) && "root".equals(System.getProperty("user.name"));
    }

    /**
     * Creates and starts an instance whose main.cf ends with {@code mainCfExtra}
     * ({@code proxy_read_maps}, {@code proxy_write_maps}). Returns when both sockets exist.
     */
    public static PostfixReference start(String mainCfExtra) throws IOException, InterruptedException {
        PostfixReference ref = create(mainCfExtra, PROXYMAP_ONLY);
        try {
            ref.start();
            ref.awaitSockets();
        } catch (IOException | InterruptedException | RuntimeException e) {
            ref.close();
            throw e;
        }
        return ref;
    }

    /** master.cf of the proxymap-only instance. */
    public static final String PROXYMAP_ONLY = """
            proxymap   unix       -  -  n  -  -  proxymap
            proxywrite unix       -  -  n  -  1  proxymap
            postlog    unix-dgram n  -  n  -  1  postlogd
            """;

    /**
     * master.cf of a mail system without proxymap and proxywrite (and without smtpd, whose port
     * the test chooses): queue manager, address rewriting, bounces, verify, delivery by
     * virtual(8), discard and error.
     */
    public static final String MAIL_SYSTEM = """
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            virtual   unix  -       n       n       -       -       virtual
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;

    /** Writes an instance (not started) with this main.cf tail and master.cf; {@link #close()} removes it. */
    public static PostfixReference create(String mainCfExtra, String masterCf) throws IOException, InterruptedException {
        PostfixReference ref = new PostfixReference(Files.createTempDirectory(Path.of("/tmp"), "pfref"));
        try {
            ref.write(mainCfExtra, masterCf);
        } catch (IOException | InterruptedException | RuntimeException e) {
            ref.close();
            throw e;
        }
        return ref;
    }

    /** {@code postfix start}: returns when master runs (its services start on demand). */
    public void start() throws IOException, InterruptedException {
        started = true;
        run(30, "start");
    }

    /** {@code postfix stop}, waiting until master has exited. */
    public void stop() throws IOException, InterruptedException {
        if (!started) return;
        Path pidFile = dir.resolve("queue/pid/master.pid");
        String pid = Files.exists(pidFile) ? Files.readString(pidFile).strip() : null;
        run(30, "stop");
        started = false;
        if (pid != null) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (running(pid) && System.nanoTime() < deadline) Thread.sleep(20);
        }
    }

    /** Whether the process runs: exists and is not a zombie (master exits to an init that may reap it late). */
    private static boolean running(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** Any other {@code postfix -c DIR/etc COMMAND} (reload, flush). */
    public void postfix(String command) throws IOException, InterruptedException {
        run(30, command);
    }

    /** {@code postqueue -c DIR/etc OPTION} (-p lists the queue, -f flushes it); its output. */
    public String postqueue(String option) throws IOException, InterruptedException {
        return exec(30, "/usr/sbin/postqueue", "-c", etc.toString(), option);
    }

    private void write(String mainCfExtra, String masterCf) throws IOException, InterruptedException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : new String[] {"etc", "queue", "data", "log"}) Files.createDirectories(dir.resolve(d));
        // data_directory must belong to mail_owner: master creates its lock file there after dropping privileges
        exec(10, "chown", "postfix", dir.resolve("data").toString());
        Files.writeString(etc.resolve("main.cf"), """
                # private proxymap-only Postfix instance (written by PostfixReference)
                compatibility_level = 3.6
                queue_directory = %1$s/queue
                data_directory = %1$s/data
                mail_owner = postfix
                setgid_group = postdrop
                myhostname = proxymap-reference.localdomain
                mydomain = localdomain
                mydestination =
                relayhost =
                inet_interfaces = loopback-only
                inet_protocols = ipv4
                maillog_file_prefixes = %1$s/log
                maillog_file = %1$s/log/maillog
                """.formatted(dir) + mainCfExtra + "\n");
        Files.writeString(etc.resolve("master.cf"), masterCf);
    }

    public Path proxymap() { return dir.resolve("queue/private/proxymap"); }

    public Path proxywrite() { return dir.resolve("queue/private/proxywrite"); }

    /** Postfix's log of this instance (proxymap warnings, postmap fatals). */
    public String log() throws IOException {
        Path log = dir.resolve("log/maillog");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private void awaitSockets() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!(Files.exists(proxymap()) && Files.exists(proxywrite()))) {
            if (System.nanoTime() > deadline) throw new IOException("Postfix started but made no sockets in " + dir + "/queue/private; log:\n" + log());
            Thread.sleep(50);
        }
    }

    private void run(int seconds, String command) throws IOException, InterruptedException {
        exec(seconds, POSTFIX.toString(), "-c", etc.toString(), command);
    }

    /** Runs a command; returns its output (stdout and stderr); throws unless it exits 0 in time. */
    static String exec(int seconds, String... command) throws IOException, InterruptedException {
        // output to a file: a long one (postqueue -p) cannot fill a pipe, and master, which
        // postfix start leaves running, holds no pipe of ours open
        Path file = Files.createTempFile("pfref", ".out");
        String out;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no exit within " + seconds + " s");
            }
            out = Files.readString(file);
            if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + out);
        } finally {
            Files.deleteIfExists(file);
        }
        return out;
    }

    /** Stops Postfix (waiting for master to exit) and removes the instance directory. */
    @Override
    public void close() {
        try {
            stop();
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("PostfixReference: stopping " + dir + ": " + e);
        }
        Trees.delete(dir);
    }
}
