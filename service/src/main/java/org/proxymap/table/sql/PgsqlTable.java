package org.proxymap.table.sql;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LogLimiter;
import org.proxymap.table.LookupTable;
import org.proxymap.table.TableException;

/**
 * One pgsql table: Postfix's {@code dict_pgsql_lookup()} over a shared {@link SqlPool}.
 * What differs from mysql, as in Postfix: a NULL column is an empty string (the "empty
 * lookup result" warning, then skipped); values are quoted as {@code PQescapeStringConn()}
 * quotes them; only the last statement's result counts ({@code PQexec()}); and any query
 * error, bad SQL included, keeps this table away from that host for {@code retry_interval}
 * (other tables on the same pool are not affected, see {@link SqlPool.QueryHolds}).
 *
 * <p>Keys and values are ISO-8859-1 strings standing for the client's bytes, converted
 * with the table's client encoding ({@link PgsqlEncoding}).
 */
final class PgsqlTable implements LookupTable, org.proxymap.table.ServerCheck {
    private static final Logger log = LogManager.getLogger("proxymap");
    /** A failing query is logged at most once per 10 s per table. */
    private static final LogLimiter limited = new LogLimiter(10_000);

    private final String name;
    private final String fullName;
    private final PgsqlConfig cf;
    private final PgsqlEncoding encoding;
    private final SqlPool pool;
    private final SqlPool.QueryHolds holds;
    private final DomainList domain;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * The template as a prepared statement (see {@link PreparedQuery}); null when only the
     * text query answers the same, or when the client encoding has multi-byte characters other
     * than UTF-8's (the text path quotes bytes, so each value decodes as it would in the query).
     */
    private final PreparedQuery prepared;
    /** Set once the prepared statement failed where the text query worked: this table keeps to the text query. */
    private volatile boolean textOnly;

    PgsqlTable(String name, PgsqlConfig cf, PgsqlEncoding encoding, SqlPool pool, DomainList domain, Runnable release) {
        this.name = name;
        this.fullName = "pgsql:" + name;
        this.cf = cf;
        this.encoding = encoding;
        this.pool = pool;
        this.holds = pool.newQueryHolds();
        this.domain = domain;
        this.release = release;
        boolean bytewise = encoding.charset() == StandardCharsets.UTF_8 || encoding.charset().newEncoder().maxBytesPerChar() == 1;
        this.prepared = bytewise ? PreparedQuery.of(cf.query) : null;
    }

    @Override
    public int implFlags() { return DictFlags.FIXED; }

    @Override
    public String lookup(String key) throws TableException {
        if (!DomainList.allows(domain, key, fullName)) return null;
        // a key that cannot fill the template is not looked up (checked before any quoting, as Postfix does)
        if (cf.templates.expandQuery(key, s -> s) == null) return null;
        List<String> values = prepared != null && !textOnly ? PreparedQuery.values(cf.templates, key) : null;
        List<String[]> rows;
        try {
            rows = pool.run((c, literalBackslashes) -> {
                if (values != null) {
                    try {
                        return queryPrepared(c, values);
                    } catch (SQLException e) {
                        if (!beforeExecution(e)) throw e;
                        // refused before it ran (so nothing ran twice): the text query decides; if it works,
                        // the prepared form asks something else here (a parameter whose type the server cannot
                        // infer as it infers a literal's, a pooler that loses prepared statements): this table
                        // keeps to the text query
                        List<String[]> r = textQuery(c, key, literalBackslashes);
                        textOnly = true;
                        log.info("{}: the prepared query failed where the text query works ({}); using the text query, as Postfix does",
                                fullName, e.getMessage());
                        return r;
                    }
                }
                return textQuery(c, key, literalBackslashes);
            }, holds);
        } catch (SqlPool.QueryFailed e) {
            limited.warn(fullName, fullName + ": pgsql query failed: " + e.getMessage());
            throw TableException.retry(fullName + ": pgsql query failed: " + e.getMessage());
        }
        List<String> fields = new ArrayList<>();
        for (String[] row : rows) fields.addAll(java.util.Arrays.asList(row));
        return cf.templates.expandResults(fields, key, cf.expansionLimit, fullName,
                "dict_pgsql_lookup: " + name + ": Expansion limit exceeded for key: '" + key + "'");
    }

    /**
     * {@code PQescapeStringConn()}: a single quote is doubled, and a backslash too unless
     * standard_conforming_strings is on. Applied to the key's bytes: in UTF-8 and the
     * single-byte encodings no byte of a multi-byte character is a quote or a backslash.
     */
    static String quote(String s, boolean literalBackslashes) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean twice = c == '\'' || (c == '\\' && !literalBackslashes);
            if (twice && sb == null) sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            if (sb != null) {
                sb.append(c);
                if (twice) sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * An error of the prepared statement raised before it ran: the statement was refused
     * (class 42: it does not parse, types or resolve as a prepared statement, or lacks a
     * privilege), the server no longer has it (26000, e.g. a pooler between us) or its plan no
     * longer fits (0A000). Any other error comes from running it, as the text query's would.
     */
    private static boolean beforeExecution(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("42") || state.equals("26000") || state.equals("0A000"));
    }

    /**
     * The text query: expanded on the client's bytes (template and key), then read in the
     * client encoding as a whole, as the server reads what libpq sends.
     */
    private List<String[]> textQuery(Connection c, String key, boolean literalBackslashes) throws SQLException {
        return query(c, encoding.decodeQuery(cf.templates.expandQuery(key, s -> quote(s, literalBackslashes))));
    }

    /**
     * Runs the prepared statement with {@code values} bound, each read in the client encoding
     * as it would be inside the text query. pgjdbc sends them with no type, so the server
     * types each as it types an untyped literal, and names the statement on the connection
     * (prepareThreshold), so the server parses and plans it once per connection.
     */
    private List<String[]> queryPrepared(Connection c, List<String> values) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(encoding.decodeQuery(prepared.sql()))) {
            st.setQueryTimeout((int) Math.max(1, pool.queryTimeout().toSeconds()));
            for (int i = 0; i < values.size(); i++) st.setString(i + 1, encoding.decodeQuery(values.get(i)));
            return results(st, st.execute());
        }
    }

    /** Runs the query as PQexec does: every statement, the last one's rows count. */
    private List<String[]> query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            st.setQueryTimeout((int) Math.max(1, pool.queryTimeout().toSeconds()));
            return results(st, st.execute(sql));
        }
    }

    private List<String[]> results(Statement st, boolean isResult) throws SQLException {
        List<String[]> last = List.of();
        while (true) {
            if (isResult) {
                try (ResultSet rs = st.getResultSet()) {
                    last = read(rs);
                }
            } else if (st.getUpdateCount() == -1) {
                break;
            } else {
                last = List.of();
            }
            isResult = st.getMoreResults();
        }
        return last;
    }

    private List<String[]> read(ResultSet rs) throws SQLException {
        int n = rs.getMetaData().getColumnCount();
        List<String[]> rows = new ArrayList<>();
        while (rs.next()) {
            String[] row = new String[n];
            for (int j = 1; j <= n; j++) {
                String v = rs.getString(j);
                // PQgetvalue() gives "" for NULL
                row[j - 1] = v == null ? "" : encoding.encodeValue(v);
            }
            rows.add(row);
        }
        return rows;
    }

    /** Connects and runs the query once with a key no table holds (check mode's probe). */
    @Override
    public void check() throws TableException {
        try {
            pool.run((c, literalBackslashes) -> {
                String q = cf.templates.expandQuery("proxymap-probe@example.invalid", s -> quote(s, literalBackslashes));
                return q == null ? null : query(c, encoding.decodeQuery(q));
            });
        } catch (SqlPool.QueryFailed e) {
            throw TableException.retry("query failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return; // a second release would close a pool others use
        if (domain != null) domain.close();
        release.run();
    }
}
