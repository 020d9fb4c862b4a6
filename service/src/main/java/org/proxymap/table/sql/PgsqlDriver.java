package org.proxymap.table.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.apache.commons.dbcp2.BasicDataSource;
import org.postgresql.core.BaseConnection;

/**
 * pgjdbc for pgsql tables. Connections are made as libpq's {@code PQsetdbLogin()} makes
 * them for Postfix (host, port, dbname, user, password; TLS if the server offers it, as
 * libpq's default {@code sslmode=prefer}), or from a connection URI. Queries go out as
 * text in the simple query protocol, as {@code PQexec()} sends them, so results come back
 * as the server's text (no binary transfer) and several statements in one query work the
 * same; only {@link PgsqlTable}'s prepared statements use the extended protocol, still with
 * text results. pgjdbc always talks UTF8 to the server; {@link PgsqlTable} applies the table's
 * client encoding to keys and results.
 */
final class PgsqlDriver implements SqlDriver {
    static final PgsqlDriver INSTANCE = new PgsqlDriver();
    static final int DEFAULT_PORT = 5432;
    /** Target property: the user for hosts with none (libpq: the client's OS user; for Postfix, mail_owner). */
    static final String DEFAULT_USER = "proxymapDefaultUser";

    private PgsqlDriver() {}

    @Override
    public String kind() { return "pgsql"; }

    @Override
    public void configure(BasicDataSource ds, HostSpec spec, SqlPool.Target target) {
        ds.setDriverClassName("org.postgresql.Driver");
        Properties p = new Properties();
        String user = target.user();
        String password = target.password();
        String url;
        if (spec.uri() != null) {
            PgsqlUri uri = PgsqlUri.parse(spec.uri());
            p.putAll(uri.properties());
            user = uri.user() != null ? uri.user() : "";
            password = uri.password() != null ? uri.password() : "";
            url = uri.jdbcUrl();
            if (spec.unix()) unix(p, uri.unixDirectory(), uri.port());
        } else {
            String db = java.net.URLEncoder.encode(target.dbname(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
            int port = spec.port() != 0 ? spec.port() : target.defaultPort();
            if (spec.unix()) {
                unix(p, spec.host() != null ? spec.host() : target.defaultSocket(), port);
                url = "jdbc:postgresql://localhost:" + port + "/" + db;
            } else {
                String host = spec.host().contains(":") ? "[" + spec.host() + "]" : spec.host();
                url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
            }
        }
        ds.setUrl(url);
        // libpq's default user is the OS user the client runs as
        ds.setUsername(user.isEmpty() ? target.driverProperties().getProperty(DEFAULT_USER, System.getProperty("user.name")) : user);
        if (!password.isEmpty()) ds.setPassword(password);
        // plain statements (the text query) in the simple protocol; prepareStatement() (PgsqlTable's prepared
        // path) in the extended one, named on the connection from its first use, with untyped values that the
        // server types as it types an untyped literal
        p.setProperty("preferQueryMode", "extendedForPrepared");
        p.setProperty("prepareThreshold", "1");
        p.setProperty("stringtype", "unspecified");
        p.setProperty("binaryTransfer", "false");
        p.putIfAbsent("ApplicationName", "proxymap");
        long connectSeconds = Math.max(1, (target.connectTimeout().toMillis() + 999) / 1000);
        p.setProperty("connectTimeout", String.valueOf(connectSeconds));
        p.setProperty("loginTimeout", String.valueOf(connectSeconds));
        // a hard bound beyond the query timeout's: a server that stops answering costs one connection
        p.setProperty("socketTimeout", String.valueOf(target.queryTimeout().toSeconds() + 2));
        p.forEach((k, v) -> ds.addConnectionProperty((String) k, (String) v));
    }

    private static void unix(Properties p, String directory, int port) {
        p.setProperty("socketFactory", UnixSocketFactory.class.getName());
        p.setProperty(UnixSocketFactory.PATH_OPTION, directory + "/.s.PGSQL." + (port != 0 ? port : DEFAULT_PORT));
        // libpq never uses TLS on a UNIX socket
        p.setProperty("sslmode", "disable");
        p.setProperty("gssEncMode", "disable");
    }

    @Override
    public boolean isConnectionError(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                // connection exceptions; admin/crash shutdown, cannot connect now
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) return true;
            }
        }
        return false;
    }

    @Override
    public boolean literalBackslashes(Connection c) {
        try {
            return c.unwrap(BaseConnection.class).getStandardConformingStrings();
        } catch (SQLException | RuntimeException e) {
            return true; // the default since PostgreSQL 9.1
        }
    }

    @Override
    public boolean isQueryTimeout(SQLException e) { return "57014".equals(e.getSQLState()); }

    @Override
    public boolean serverFull(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // too_many_connections: max_connections (or a role's/database's connection limit) reached
            if (t instanceof SQLException s && "53300".equals(s.getSQLState())) return true;
            // pgjdbc's loginTimeout: the server answers, but too slowly to log in another connection
            if (t instanceof SQLException s && "Connection attempt timed out.".equals(s.getMessage())) return true;
        }
        return false;
    }

    /** dict_pgsql.c: hosts with a connection first (UNIX, TCP, URI), then the others in the same order. */
    @Override
    public int rank(HostSpec spec, boolean connected) {
        return (connected ? 0 : 3) + (spec.uri() != null ? 2 : spec.unix() ? 0 : 1);
    }
}
