package org.proxymap.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL from scripts/lib/postgres.sh. scripts/test starts one and exports
 * PROXYMAP_TEST_PG_DIR; without it (a plain {@code mvn test}) the first test starts one in
 * /tmp and stops it when the JVM exits. Tests that stop, kill or fill a server start their
 * own with {@link #startExtra}.
 */
public final class TestPg {
    public final Path dir;
    public final String host;
    public final int port;
    public final String socketDir;
    public final String user;
    public final String password;

    private static TestPg shared;

    private TestPg(Path dir) throws IOException {
        this.dir = dir;
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^\"|\"$", ""));
        }
        host = env.get("PG_HOST");
        port = Integer.parseInt(env.get("PG_PORT"));
        socketDir = env.get("PG_SOCKET_DIR");
        user = env.get("PG_USER");
        password = env.get("PG_PASSWORD");
    }

    static Path script() {
        String project = System.getProperty("proxymap.project.dir", "..");
        Path p = Path.of(project, "scripts/lib/postgres.sh");
        if (!Files.exists(p)) p = Path.of("../scripts/lib/postgres.sh");
        return p.toAbsolutePath().normalize();
    }

    public static boolean installed() {
        try (var s = Files.list(Path.of("/usr/lib/postgresql"))) {
            return s.anyMatch(v -> Files.isExecutable(v.resolve("bin/postgres")));
        } catch (IOException e) {
            return false;
        }
    }

    /** The suite's server; skips (or fails under CI=true) when PostgreSQL is not installed. */
    public static synchronized TestPg shared() throws Exception {
        if (shared != null) return shared;
        String d = System.getenv("PROXYMAP_TEST_PG_DIR");
        if (d != null && Files.exists(Path.of(d, "env"))) {
            shared = new TestPg(Path.of(d));
            return shared;
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pmpg");
        shared = startExtra(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run("stop", dir);
                Trees.delete(dir);
            } catch (Exception ignored) {
                // best effort at exit
            }
        }));
        return shared;
    }

    /** Starts (or restarts) a server in {@code dir} through scripts/lib/postgres.sh. */
    public static TestPg startExtra(Path dir) throws Exception {
        Require.that(installed(), "PostgreSQL server (postgresql)");
        run("start", dir);
        return new TestPg(dir);
    }

    public void stop() throws Exception { run("stop", dir); }

    public void start() throws Exception { run("start", dir); }

    /**
     * SIGKILL of the postmaster and its backends, as a crash. The script's servers commit
     * asynchronously (synchronous_commit=off), so a crash could lose what the test set up a
     * moment before; a CHECKPOINT first keeps every committed row, as synchronous commit would.
     */
    public void kill() throws Exception {
        sql("pmtest", "CHECKPOINT");
        run("kill", dir);
    }

    static void run(String cmd, Path dir) throws Exception {
        Process p = new ProcessBuilder(List.of(script().toString(), cmd, dir.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("postgres.sh " + cmd + " failed: " + out);
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
    }

    /** Creates {@code database} afresh (dropping an old one) and runs statements in it. */
    public void freshDatabase(String database, String... statements) throws SQLException {
        try (Connection c = connect("pmtest"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            st.execute("CREATE DATABASE \"" + database + "\" ENCODING 'UTF8' TEMPLATE template0");
        }
        sql(database, statements);
    }

    /** Runs statements on {@code database}. */
    public void sql(String database, String... statements) throws SQLException {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            for (String s : statements) st.execute(s);
        }
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
