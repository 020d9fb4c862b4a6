package org.proxymap.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway database server run by a script in scripts/lib ({@code SCRIPT start|stop|kill DIR}),
 * which writes the server's address and credentials to {@code DIR/env} as
 * {@code PREFIX_HOST}, {@code PREFIX_PORT}, {@code PREFIX_USER}, {@code PREFIX_PASSWORD}.
 * scripts/test starts the suite's servers and exports their directories; without them (a
 * plain {@code mvn test}) the first test starts one in /tmp, removed when the JVM exits.
 */
public abstract class ScriptedServer {
    public final Path dir;
    public final String host;
    public final int port;
    public final String user;
    public final String password;
    /** Everything the script wrote to {@code DIR/env}. */
    protected final Map<String, String> env = new HashMap<>();
    private final String script;

    protected ScriptedServer(Path dir, String script, String prefix) throws IOException {
        this.dir = dir;
        this.script = script;
        for (String line : Files.readAllLines(dir.resolve("env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^\"|\"$", ""));
        }
        host = env.get(prefix + "_HOST");
        port = Integer.parseInt(env.get(prefix + "_PORT"));
        user = env.get(prefix + "_USER");
        password = env.get(prefix + "_PASSWORD");
    }

    /** A server in a directory: started there, or only read from its {@code env}. */
    @FunctionalInterface
    protected interface Starter<T> {
        T at(Path dir) throws Exception;
    }

    /**
     * The suite's server: the one in {@code $envVar} when scripts/test started it, else one
     * started in a new /tmp directory and stopped and removed when the JVM exits.
     */
    protected static <T extends ScriptedServer> T suiteServer(String envVar, String tmpPrefix, Starter<T> existing,
            Starter<T> started) throws Exception {
        String d = System.getenv(envVar);
        if (d != null && Files.exists(Path.of(d, "env"))) return existing.at(Path.of(d));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), tmpPrefix);
        T server = started.at(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception ignored) {
                // best effort at exit
            }
            Trees.delete(dir);
        }));
        return server;
    }

    public void stop() throws Exception { run(script, "stop", dir); }

    public void start() throws Exception { run(script, "start", dir); }

    /** SIGKILL of the server, as a crash; {@link #start} recovers it on the same port. */
    public void kill() throws Exception { run(script, "kill", dir); }

    /** Runs {@code scripts/lib/SCRIPT CMD DIR}; fails with the script's output. */
    protected static void run(String script, String cmd, Path dir) throws Exception {
        Process p = new ProcessBuilder(List.of(scriptPath(script).toString(), cmd, dir.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(script + " " + cmd + " failed: " + out);
    }

    private static Path scriptPath(String script) {
        Path p = Path.of(System.getProperty("proxymap.project.dir", ".."), "scripts/lib", script);
        if (!Files.exists(p)) p = Path.of("../scripts/lib", script);
        return p.toAbsolutePath().normalize();
    }

    /** A .cf file body for this server over TCP. */
    public String cf(String database, String... lines) {
        StringBuilder sb = new StringBuilder();
        sb.append("hosts = inet:").append(host).append(':').append(port).append('\n');
        sb.append("user = ").append(user).append('\n');
        sb.append("password = ").append(password).append('\n');
        sb.append("dbname = ").append(database).append('\n');
        for (String l : lines) sb.append(l).append('\n');
        return sb.toString();
    }
}
