package org.proxymap.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.proxymap.testing.Require;

/**
 * A MariaDB of this test's own (scripts/lib/mariadb.sh in a fresh directory), so that it
 * can be killed and restarted without disturbing the suite's shared one.
 */
final class OwnDb implements AutoCloseable {
    final Path dir;
    final Path script;
    int port;

    private OwnDb(Path dir, Path script) {
        this.dir = dir;
        this.script = script;
    }

    static OwnDb start() throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("proxymap.project.dir", ".."), "scripts/lib/mariadb.sh").toAbsolutePath().normalize();
        if (!Files.exists(script)) script = Path.of("../scripts/lib/mariadb.sh").toAbsolutePath().normalize();
        Require.that(Files.isExecutable(script), "scripts/lib/mariadb.sh (from the mysql table work)");
        Require.that(Files.isExecutable(Path.of("/usr/sbin/mariadbd")) || Files.isExecutable(Path.of("/usr/sbin/mysqld")),
                "mariadbd (package mariadb-server)");
        OwnDb db = new OwnDb(Files.createTempDirectory(Path.of("/tmp"), "pmreldb"), script);
        db.run("start");
        return db;
    }

    void run(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script.toString(), command, dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("mariadb.sh " + command + ": " + out);
        if (command.equals("start")) {
            for (String line : Files.readAllLines(dir.resolve("env"))) {
                if (line.startsWith("MARIADB_PORT=")) port = Integer.parseInt(line.substring(13).trim());
            }
        }
    }

    /** Runs SQL as root over the server's UNIX socket. */
    void sql(String statements) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("mariadb", "--no-defaults", "-S", dir.resolve("run/mysqld.sock").toString(),
                "-u", "root", "-e", statements)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("mariadb: " + out);
    }

    /** kill -9 of mariadbd: no clean shutdown, connections drop. */
    void kill() throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readString(dir.resolve("run/mysqld.pid")).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long end = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < end) Thread.sleep(20);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("stop");
        } finally {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }
}
