package org.proxymap.table.sql;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LogLimiter;
import org.proxymap.table.LookupTable;
import org.proxymap.table.TableException;

/**
 * One mysql table: Postfix's {@code dict_mysql_lookup()} over a shared {@link SqlPool}.
 *
 * <p>Keys and values are ISO-8859-1 strings standing for the client's bytes. A key is
 * decoded with the table's {@code charset} for the query; text result fields are encoded
 * back to it (binary columns are passed as they are), so clients see the bytes Postfix's
 * own client would return.
 */
final class MysqlTable implements LookupTable, org.proxymap.table.ServerCheck {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final LogLimiter limited = new LogLimiter(10_000);

    private final String name;
    private final String fullName;
    private final MysqlConfig cf;
    private final SqlPool pool;
    private final DomainList domain;
    private final Runnable release;
    private final Charset charset;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** The template as a prepared statement; null when only the text query answers the same (see {@link PreparedQuery}). */
    private final PreparedQuery prepared;
    /** Set once the prepared statement returned a column that is not text: its binary-protocol value could read differently. */
    private volatile boolean textOnly;
    /** Whether the prepared statement's columns were seen to be text before it first ran. */
    private volatile boolean columnsChecked;

    MysqlTable(String name, MysqlConfig cf, SqlPool pool, DomainList domain, Runnable release) {
        this.name = name;
        this.fullName = "mysql:" + name;
        this.cf = cf;
        this.pool = pool;
        this.domain = domain;
        this.release = release;
        this.charset = Charsets.forName(cf.charset);
        this.prepared = PreparedQuery.of(cf.query);
    }

    @Override
    public int implFlags() { return DictFlags.FIXED; }

    /** The raw result fields of one query: rows of columns, null for SQL NULL. */
    private record Rows(List<String[]> rows) {}

    @Override
    public String lookup(String key) throws TableException {
        if (!DomainList.allows(domain, key, fullName)) return null;
        String text = decode(key);
        if (text == null) return null;
        if (cf.templates.expandQuery(text, s -> s) == null) return null;
        List<String> values = prepared != null && !textOnly ? PreparedQuery.values(cf.templates, text) : null;
        Rows rows;
        try {
            rows = pool.run((c, noBackslashEscapes) -> {
                if (values != null) {
                    Rows r = queryPrepared(c, values);
                    if (r != NOT_TEXT) return r;
                }
                return query(c, cf.templates.expandQuery(text, s -> MysqlEscape.escape(s, noBackslashEscapes)));
            });
        } catch (SqlPool.QueryFailed e) {
            limited.warn(fullName, fullName + ": query failed: " + e.getMessage());
            throw TableException.retry(fullName + ": query failed: " + e.getMessage());
        }
        if (rows == null) return null;
        List<String> fields = new ArrayList<>();
        for (String[] row : rows.rows()) fields.addAll(java.util.Arrays.asList(row));
        return cf.templates.expandResults(fields, key, cf.expansionLimit, fullName,
                "dict_mysql_lookup: " + name + ": Expansion limit exceeded for key: '" + key + "'");
    }

    /** A prepared statement's answer that must not be used: a column was not text. */
    private static final Rows NOT_TEXT = new Rows(List.of());

    /**
     * Runs the prepared statement with {@code values} bound (the driver caches it per
     * connection, so the server parses it once per connection and then only executes it).
     * Results come in the binary protocol, where only text and binary columns arrive as
     * the same bytes as in the text protocol: any other column (known when prepared, before the
     * statement runs) gives {@link #NOT_TEXT} and this table keeps to the text query from then on.
     */
    private Rows queryPrepared(java.sql.Connection c, List<String> values) throws SQLException {
        try (java.sql.PreparedStatement st = c.prepareStatement(prepared.sql())) {
            st.setQueryTimeout((int) Math.max(1, pool.queryTimeout().toSeconds()));
            for (int i = 0; i < values.size(); i++) st.setString(i + 1, values.get(i));
            Rows rows = null;
            if (!columnsChecked) {
                // once per table (getMetaData() prepares again), before it first runs, so that a query
                // that falls back never runs twice: the server must prepare it (a '%s' where only a
                // literal parses, such as an alias, does not) and its columns must be text
                ResultSetMetaData md;
                try {
                    md = st.getMetaData();
                } catch (SQLException e) {
                    if (MysqlDriver.INSTANCE.isConnectionError(e)) throw e;
                    textOnly = true;
                    log.info("{}: the server does not prepare the query ({}); using the text query, as Postfix does", fullName,
                            e.getMessage());
                    return NOT_TEXT;
                }
                if (md != null && !allText(md)) rows = NOT_TEXT;
                else columnsChecked = true;
            }
            if (rows == null) rows = results(st, st.execute());
            if (rows == NOT_TEXT) {
                textOnly = true;
                log.info("{}: the query returns a column that is not text; using the text query, as Postfix does", fullName);
            }
            return rows;
        }
    }

    /** Runs one query; null when it returned no result set and that is allowed. */
    private Rows query(java.sql.Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            st.setQueryTimeout((int) Math.max(1, pool.queryTimeout().toSeconds()));
            return results(st, st.execute(sql));
        }
    }

    private Rows results(Statement st, boolean isResult) throws SQLException {
        boolean prepared = st instanceof java.sql.PreparedStatement;
        Rows first = null;
        boolean multiple = false;
        while (true) {
            if (isResult) {
                try (ResultSet rs = st.getResultSet()) {
                    if (prepared && !allText(rs.getMetaData())) return NOT_TEXT;
                    if (first == null) first = read(rs);
                    else multiple = true;
                }
            } else if (st.getUpdateCount() == -1) {
                break;
            }
            isResult = st.getMoreResults();
        }
        if (multiple) throw new SQLException("multiple result sets returning data are not supported", "HY000");
        if (first == null && cf.requireResultSet) {
            throw new SQLException("query returned no result set (require_result_set = yes)", "HY000");
        }
        return first;
    }

    private static boolean allText(ResultSetMetaData md) throws SQLException {
        for (int j = 1; j <= md.getColumnCount(); j++) {
            switch (md.getColumnType(j)) {
                case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR, Types.CLOB,
                        Types.NCLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> { }
                default -> { return false; }
            }
        }
        return true;
    }

    private Rows read(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        boolean[] binary = new boolean[n + 1];
        for (int j = 1; j <= n; j++) {
            int t = md.getColumnType(j);
            binary[j] = t == Types.BINARY || t == Types.VARBINARY || t == Types.LONGVARBINARY || t == Types.BLOB;
        }
        List<String[]> rows = new ArrayList<>();
        while (rs.next()) {
            String[] row = new String[n];
            for (int j = 1; j <= n; j++) {
                if (binary[j]) {
                    byte[] b = rs.getBytes(j);
                    row[j - 1] = b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
                } else {
                    String v = rs.getString(j);
                    row[j - 1] = v == null ? null : new String(v.getBytes(charset), StandardCharsets.ISO_8859_1);
                }
            }
            rows.add(row);
        }
        return new Rows(rows);
    }

    /** Client bytes to text for the query; null when they are not valid in the table's charset. */
    private String decode(String key) {
        byte[] b = key.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            log.debug("{}: skipping lookup of key that is not valid {}: '{}'", fullName, cf.charset, key);
            return null;
        }
    }

    /** Connects and runs the query once with a key no table holds. */
    @Override
    public void check() throws TableException {
        try {
            pool.run((c, nbe) -> {
                String q = cf.templates.expandQuery("proxymap-check@invalid.invalid", s -> MysqlEscape.escape(s, nbe));
                return q == null ? null : query(c, q);
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
