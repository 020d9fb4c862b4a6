package org.proxymap.table.sql;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * What a {@link SqlPool} needs to know about one kind of database: how to connect to a
 * host (driver, URL, properties) and how to read its errors. Everything else (pooling,
 * the global budget, host choice and failover) is the same for mysql and pgsql.
 */
interface SqlDriver {
    /** The table type, as logs name it ("mysql", "pgsql"). */
    String kind();

    /** Sets the driver, URL, credentials and connection properties for {@code spec}. */
    void configure(BasicDataSource ds, HostSpec spec, SqlPool.Target target);

    /** Errors that say the connection or server is gone, as opposed to the statement being wrong. */
    boolean isConnectionError(SQLException e);

    /**
     * True when a backslash in a string literal is an ordinary character on this connection
     * (MySQL's NO_BACKSLASH_ESCAPES, PostgreSQL's standard_conforming_strings), so quoting
     * doubles only the single quote.
     */
    boolean literalBackslashes(Connection c);

    /**
     * The server refused a new connection because it has as many as it allows
     * (PostgreSQL's max_connections), or did not log one in within the connect timeout:
     * when the pool has connections to it, the host is up and the pool makes do with them.
     */
    default boolean serverFull(SQLException e) { return false; }

    /**
     * The query ran past proxymap_sql_query_timeout and was cancelled: a bound of ours
     * (Postfix would still be waiting), so it answers RETRY without holding the host.
     */
    default boolean isQueryTimeout(SQLException e) { return false; }

    /**
     * Order of preference among usable hosts, lowest first; ties are broken at random.
     * mysql: UNIX sockets first, then hosts with open connections.
     */
    default int rank(HostSpec spec, boolean connected) { return (spec.unix() ? 0 : 2) + (connected ? 0 : 1); }
}
