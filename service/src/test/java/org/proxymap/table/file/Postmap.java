package org.proxymap.table.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.proxymap.testing.Require;

/**
 * Runs Debian's real {@code postmap} on a throwaway configuration directory (an empty
 * main.cf: compatibility_level 0, so smtputf8 is off and keys are raw bytes). Strings are
 * ISO-8859-1 decoded bytes, as on the wire.
 */
public final class Postmap {
    public static final String PATH = "/usr/sbin/postmap";
    private final Path config;

    private Postmap(Path config) { this.config = config; }

    /** Skips (or fails under CI) when postmap is missing. */
    public static Postmap create() throws IOException {
        Require.executable(PATH);
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pmc");
        Files.writeString(dir.resolve("main.cf"), "");
        return new Postmap(dir);
    }

    /** postmap with an existing configuration directory (e.g. a TestServer's, for proxy: tables). */
    public static Postmap at(Path configDir) {
        Require.executable(PATH);
        return new Postmap(configDir);
    }

    public Path config() { return config; }

    /** {@code postmap -q - table}: every key that was found, with its value. */
    public Map<String, String> query(String table, List<String> keys) throws IOException, InterruptedException {
        StringBuilder in = new StringBuilder();
        for (String k : keys) in.append(k).append('\n');
        Result r = run(in.toString(), "-q", "-", table);
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.stdout.split("\n")) {
            if (line.isEmpty()) continue;
            int tab = line.indexOf('\t');
            out.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return out;
    }

    public record Result(int exit, String stdout, String stderr) {}

    /** Runs postmap with {@code -c config} and the arguments; stdin from {@code input}. */
    public Result run(String input, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = PATH;
        cmd[1] = "-c";
        cmd[2] = config.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream os = p.getOutputStream()) {
            os.write(input.getBytes(StandardCharsets.ISO_8859_1));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("postmap timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.ISO_8859_1),
                new String(err.join(), StandardCharsets.ISO_8859_1));
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
