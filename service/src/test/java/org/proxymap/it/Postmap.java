package org.proxymap.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's real {@code postmap} with a time limit: a client that cannot connect sleeps
 * 10 s per attempt (and gives up after 11), so a test never waits on it unbounded.
 */
public final class Postmap {
    /** A thread per stream: the common pool has one thread on a 2-core host, and a full pipe would stall it. */
    private static final java.util.concurrent.Executor READERS =
            java.util.concurrent.Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory());

    private Postmap() {}

    public record Result(int exit, String stdout, String stderr) {
        /** The same result with {@code path} replaced by {@code DIR}, the only difference allowed between instances. */
        public Result normalized(Path path) {
            String p = path.toString();
            return new Result(exit, stdout.replace(p, "DIR"), stderr.replace(p, "DIR"));
        }

        @Override
        public String toString() { return "exit " + exit + ", stdout \"" + stdout + "\", stderr \"" + stderr + "\""; }
    }

    /** {@code postmap -c etc ARGS}, with {@code stdin} (may be null), at most {@code seconds}. */
    public static Result run(Path etc, String stdin, int seconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PostfixReference.POSTMAP.toString(), "-c", etc.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), READERS);
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), READERS);
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // postmap exited before reading all of its input (a fatal error): its output says why
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(String.join(" ", cmd) + ": no exit within " + seconds + " s; stderr so far: "
                    + new String(err.join(), StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
