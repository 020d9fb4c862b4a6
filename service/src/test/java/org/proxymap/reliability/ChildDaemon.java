package org.proxymap.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real daemon in a separate JVM ({@code ProxymapDaemon -c DIR/etc}, the test
 * classpath), for faults a test cannot inflict on its own process: SIGTERM, kill -9,
 * a low open-files limit. Its log goes to {@code DIR/daemon-N.log}.
 */
final class ChildDaemon implements AutoCloseable {
    private static int runs;

    final Process process;
    final Path log;

    private ChildDaemon(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the daemon and waits until it serves; {@code openFiles} > 0 sets ulimit -n for it. */
    static ChildDaemon start(Path dir, int openFiles) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", cp, "org.proxymap.daemon.ProxymapDaemon", "-c", dir.resolve("etc").toString()));
        if (openFiles > 0) {
            List<String> sh = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$@\"", "bash"));
            sh.addAll(cmd);
            cmd = sh;
        }
        Path log;
        synchronized (ChildDaemon.class) {
            log = dir.resolve("daemon-" + (++runs) + ".log");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ChildDaemon d = new ChildDaemon(p, log);
        long end = System.nanoTime() + 60_000_000_000L;
        while (!d.log().contains("daemon started")) {
            if (!p.isAlive()) throw new IOException("daemon exited with " + p.exitValue() + ":\n" + d.log());
            if (System.nanoTime() > end) throw new IOException("daemon did not start within 60 s:\n" + d.log());
            Thread.sleep(20);
        }
        return d;
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM; returns the exit status (or -1 if it did not exit within the timeout). */
    int terminate(long timeoutSeconds) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeoutSeconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /** kill -9: no shutdown hook, sockets left behind. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) kill();
        }
    }
}
