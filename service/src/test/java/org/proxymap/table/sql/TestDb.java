package org.proxymap.table.sql;

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
import org.proxymap.testing.Require;

/**
 * A throwaway MariaDB from scripts/lib/mariadb.sh. scripts/test starts one and exports
 * PROXYMAP_TEST_DB_DIR; without it (a plain {@code mvn test}) the first test starts one in
 * /tmp and stops it when the JVM exits. Tests that need a server of their own (failover,
 * outage) start more through the same script with {@link #startExtra}.
 */
public final class TestDb {
    final Path dir;
    final String host;
    final int port;
    final String socket;
    final String user;
    final String password;

    private static TestDb shared;

    private TestDb(Path dir) throws IOException {
        this.dir = dir;
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1).replaceAll("^\"|\"$", ""));
        }
        host = env.get("MARIADB_HOST");
        port = Integer.parseInt(env.get("MARIADB_PORT"));
        socket = env.get("MARIADB_SOCKET");
        user = env.get("MARIADB_USER");
        password = env.get("MARIADB_PASSWORD");
    }

    static Path script() {
        String project = System.getProperty("proxymap.project.dir", "..");
        Path p = Path.of(project, "scripts/lib/mariadb.sh");
        if (!Files.exists(p)) p = Path.of("../scripts/lib/mariadb.sh");
        return p.toAbsolutePath().normalize();
    }

    static boolean mariadbInstalled() {
        return Files.isExecutable(Path.of("/usr/sbin/mariadbd")) || Files.isExecutable(Path.of("/usr/sbin/mysqld"));
    }

    /** The suite's server; skips (or fails under CI=true) when MariaDB is not installed. */
    public static synchronized TestDb shared() throws Exception {
        if (shared != null) return shared;
        String d = System.getenv("PROXYMAP_TEST_DB_DIR");
        if (d != null && Files.exists(Path.of(d, "env"))) {
            shared = new TestDb(Path.of(d));
            return shared;
        }
        Require.that(mariadbInstalled(), "MariaDB server (mariadbd)");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pmdb");
        shared = startExtra(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run("stop", dir);
                run("rm", dir);
            } catch (Exception ignored) {
                // best effort at exit
            }
        }));
        return shared;
    }

    /** Starts (or restarts) a server in {@code dir} through scripts/lib/mariadb.sh. */
    static TestDb startExtra(Path dir) throws Exception {
        Require.that(mariadbInstalled(), "MariaDB server (mariadbd)");
        run("start", dir);
        return new TestDb(dir);
    }

    void stop() throws Exception { run("stop", dir); }

    void start() throws Exception { run("start", dir); }

    static void run(String cmd, Path dir) throws Exception {
        List<String> argv = cmd.equals("rm") ? List.of("rm", "-rf", dir.toString())
                : List.of(script().toString(), cmd, dir.toString());
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("mariadb.sh " + cmd + " failed: " + out);
        }
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://" + host + ":" + port + "/" + database + "?sslMode=disable", user,
                password);
    }

    /** Runs statements on {@code database} (created when missing). */
    public void sql(String database, String... statements) throws SQLException {
        try (Connection c = connect("")) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE IF NOT EXISTS `" + database + "`");
            }
        }
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
