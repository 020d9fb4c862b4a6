package org.proxymap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.proxymap.testing.Trees;

/**
 * A private, proxymap-only instance of the REAL Postfix (Debian's 3.7): its own main.cf and
 * a master.cf with only proxymap, proxywrite and postlog (nothing listens on TCP), started
 * with {@code postfix -c DIR/etc start} and stopped and removed by {@link #close()}.
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
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pfref");
        PostfixReference ref = new PostfixReference(dir);
        try {
            ref.create(mainCfExtra);
            ref.run(30, "start");
            ref.started = true;
            ref.awaitSockets();
        } catch (IOException | InterruptedException | RuntimeException e) {
            ref.close();
            throw e;
        }
        return ref;
    }

    private void create(String mainCfExtra) throws IOException, InterruptedException {
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
        Files.writeString(etc.resolve("master.cf"), """
                proxymap   unix       -  -  n  -  -  proxymap
                proxywrite unix       -  -  n  -  1  proxymap
                postlog    unix-dgram n  -  n  -  1  postlogd
                """);
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

    private static void exec(int seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no exit within " + seconds + " s");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + out);
    }

    /** Stops Postfix (waiting for master to exit) and removes the instance directory. */
    @Override
    public void close() {
        try {
            if (started) {
                Path pidFile = dir.resolve("queue/pid/master.pid");
                String pid = Files.exists(pidFile) ? Files.readString(pidFile).strip() : null;
                run(30, "stop");
                if (pid != null) {
                    var h = ProcessHandle.of(Long.parseLong(pid));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (h.isPresent() && h.get().isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("PostfixReference: stopping " + dir + ": " + e);
        }
        Trees.delete(dir);
    }
}
