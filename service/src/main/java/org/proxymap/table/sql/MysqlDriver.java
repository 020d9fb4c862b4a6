package org.proxymap.table.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import org.apache.commons.dbcp2.BasicDataSource;

/** mariadb-java-client for mysql tables; UNIX sockets through {@link UnixSocketFactory}. */
final class MysqlDriver implements SqlDriver {
    static final MysqlDriver INSTANCE = new MysqlDriver();

    private MysqlDriver() {}

    @Override
    public String kind() { return "mysql"; }

    @Override
    public void configure(BasicDataSource ds, HostSpec spec, SqlPool.Target target) {
        ds.setDriverClassName("org.mariadb.jdbc.Driver");
        ds.setUrl(url(spec, target));
        ds.setUsername(target.user());
        ds.setPassword(target.password());
        Properties p = new Properties();
        p.putAll(target.driverProperties());
        p.setProperty("connectTimeout", String.valueOf(target.connectTimeout().toMillis()));
        // a hard bound below the query timeout's: a server that stops answering costs one connection
        p.setProperty("socketTimeout", String.valueOf(target.queryTimeout().toMillis() + 2000));
        // prepareStatement() prepares on the server, once per connection and SQL (MysqlTable's prepared path;
        // the text query stays createStatement()); the driver prefixes SET STATEMENT max_statement_time to both
        p.setProperty("useServerPrepStmts", "true");
        p.setProperty("cachePrepStmts", "true");
        p.setProperty("prepStmtCacheSize", "250");
        if (spec.unix()) {
            p.setProperty("socketFactory", UnixSocketFactory.class.getName());
            p.setProperty(UnixSocketFactory.PATH_OPTION, spec.host() != null ? spec.host() : target.defaultSocket());
        }
        p.forEach((k, v) -> ds.addConnectionProperty((String) k, (String) v));
    }

    private static String url(HostSpec spec, SqlPool.Target target) {
        String db = target.dbname();
        if (spec.unix()) return "jdbc:mariadb://address=(host=localhost)(port=3306)/" + db;
        int port = spec.port() != 0 ? spec.port() : target.defaultPort();
        return "jdbc:mariadb://address=(host=" + spec.host() + ")(port=" + port + ")/" + db;
    }

    @Override
    public boolean isConnectionError(SQLException e) {
        if (e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException) return true;
        String state = e.getSQLState();
        if (state != null && state.startsWith("08")) return true;
        int code = e.getErrorCode();
        // server shutdown in progress, connection killed, read-only/wsrep not ready
        return code == 1053 || code == 1927 || code == 2006 || code == 2013 || code == 1047;
    }

    @Override
    public boolean literalBackslashes(Connection c) {
        try {
            org.mariadb.jdbc.Connection mc = c.unwrap(org.mariadb.jdbc.Connection.class);
            return (mc.getContext().getServerStatus() & org.mariadb.jdbc.util.constants.ServerStatus.NO_BACKSLASH_ESCAPES) != 0;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }
}
