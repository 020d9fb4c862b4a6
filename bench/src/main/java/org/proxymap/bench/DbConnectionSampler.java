package org.proxymap.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Samples the database's {@code Threads_connected} a few times a second during a run and
 * keeps the largest value, minus the sampler's own connection: the connections the server
 * under test holds. With a {@code tcp:PORT} URL (a directory such as slapd), the established
 * TCP connections to that local port in /proc/net/tcp{,6} instead (slapd, PostgreSQL).
 * {@link #selects()} reads MariaDB's {@code Com_select}, the SELECT statements it has run
 * (text queries and prepared statements executed alike), for the queries per lookup.
 */
final class DbConnectionSampler implements AutoCloseable {
    private final Connection connection;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int max = -1;
    private volatile String problem;

    DbConnectionSampler(String url, String user, String password) throws SQLException {
        if (url.startsWith("tcp:")) {
            int port = Integer.parseInt(url.substring(4));
            connection = null;
            thread = Thread.ofPlatform().daemon().name("db-sampler").start(() -> sampleTcp(port));
            return;
        }
        connection = DriverManager.getConnection(url, user, password);
        thread = Thread.ofPlatform().daemon().name("db-sampler").start(this::run);
    }

    private void sampleTcp(int port) {
        String local = String.format(":%04X ", port);
        try {
            while (running) {
                int n = 0;
                for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(f))) {
                        String[] c = line.trim().split("\\s+");
                        // local_address, state 01 = ESTABLISHED: the server's side of each client connection
                        if (c.length > 3 && (c[1] + " ").endsWith(local) && c[3].equals("01")) n++;
                    }
                }
                max = Math.max(max, n);
                Thread.sleep(200);
            }
        } catch (java.io.IOException e) {
            problem = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (running) {
                int connected = (int) status("Threads_connected");
                max = Math.max(max, connected - 1);
                Thread.sleep(200);
            }
        } catch (SQLException e) {
            problem = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One global status variable; the sampler thread and the run share the connection. */
    private synchronized long status(String name) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE '" + name + "'")) {
            return rs.next() ? rs.getLong(2) : -1;
        }
    }

    /** MariaDB's Com_select now (SHOW statements do not count), or -1 without a SQL connection. */
    long selects() {
        if (connection == null) return -1;
        try {
            return status("Com_select");
        } catch (SQLException e) {
            problem = e.getMessage();
            return -1;
        }
    }

    /** Starts a new window: the maximum seen from now on. */
    void reset() { max = -1; }

    /** Largest number of connections held by others since {@link #reset()}, or -1. */
    int max() {
        if (problem != null) System.err.println("loadgen: database sampler: " + problem);
        return max;
    }

    @Override
    public void close() throws SQLException {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (connection != null) connection.close();
    }
}
