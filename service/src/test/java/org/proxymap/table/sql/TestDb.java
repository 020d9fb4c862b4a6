package org.proxymap.table.sql;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.proxymap.testing.Require;
import org.proxymap.testing.ScriptedServer;

/**
 * A throwaway MariaDB from scripts/lib/mariadb.sh (PROXYMAP_TEST_DB_DIR when scripts/test
 * started it; see {@link ScriptedServer}). Tests that need a server of their own (failover,
 * outage) start more through the same script with {@link #startExtra}.
 */
public final class TestDb extends ScriptedServer {
    private static final String SCRIPT = "mariadb.sh";
    final String socket;

    private static TestDb shared;

    private TestDb(Path dir) throws IOException {
        super(dir, SCRIPT, "MARIADB");
        socket = env.get("MARIADB_SOCKET");
    }

    static boolean mariadbInstalled() {
        return Files.isExecutable(Path.of("/usr/sbin/mariadbd")) || Files.isExecutable(Path.of("/usr/sbin/mysqld"));
    }

    /** The suite's server; skips (or fails under CI=true) when MariaDB is not installed. */
    public static synchronized TestDb shared() throws Exception {
        if (shared == null) shared = suiteServer("PROXYMAP_TEST_DB_DIR", "pmdb", TestDb::new, TestDb::startExtra);
        return shared;
    }

    /** Starts (or restarts) a server in {@code dir} through scripts/lib/mariadb.sh. */
    public static TestDb startExtra(Path dir) throws Exception {
        Require.that(mariadbInstalled(), "MariaDB server (mariadbd)");
        run(SCRIPT, "start", dir);
        return new TestDb(dir);
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
}
