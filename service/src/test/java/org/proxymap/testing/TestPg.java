package org.proxymap.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A throwaway PostgreSQL from scripts/lib/postgres.sh (PROXYMAP_TEST_PG_DIR when scripts/test
 * started it; see {@link ScriptedServer}). Tests that stop, kill or fill a server start their
 * own with {@link #startExtra}.
 */
public final class TestPg extends ScriptedServer {
    private static final String SCRIPT = "postgres.sh";
    public final String socketDir;

    private static TestPg shared;

    private TestPg(Path dir) throws IOException {
        super(dir, SCRIPT, "PG");
        socketDir = env.get("PG_SOCKET_DIR");
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
        if (shared == null) shared = suiteServer("PROXYMAP_TEST_PG_DIR", "pmpg", TestPg::new, TestPg::startExtra);
        return shared;
    }

    /** Starts (or restarts) a server in {@code dir} through scripts/lib/postgres.sh. */
    public static TestPg startExtra(Path dir) throws Exception {
        Require.that(installed(), "PostgreSQL server (postgresql)");
        run(SCRIPT, "start", dir);
        return new TestPg(dir);
    }

    /**
     * SIGKILL of the postmaster and its backends, as a crash. The script's servers commit
     * asynchronously (synchronous_commit=off), so a crash could lose what the test set up a
     * moment before; a CHECKPOINT first keeps every committed row, as synchronous commit would.
     */
    @Override
    public void kill() throws Exception {
        sql("pmtest", "CHECKPOINT");
        super.kill();
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
}
