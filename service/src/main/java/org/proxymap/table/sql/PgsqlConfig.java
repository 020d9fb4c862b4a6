package org.proxymap.table.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.proxymap.table.TableOpenException;

/**
 * The parameters of one pgsql_table(5) definition, as Postfix's
 * {@code pgsql_parse_config()} reads them (see {@link CfgParser} for where they come from):
 * {@code hosts}, {@code user}, {@code password}, {@code dbname}, {@code encoding} (3.8+),
 * {@code idle_interval} and {@code retry_interval} (3.9+), {@code query} or the legacy
 * {@code select_function} or {@code select_field}/{@code table}/{@code where_field}/
 * {@code additional_conditions}, {@code result_format}, {@code domain},
 * {@code expansion_limit}. A single host is tried twice per lookup (3.10: "don't
 * blacklist the load balancer"); {@code dbname} may be empty only when every host is a URI.
 */
final class PgsqlConfig {
    final String name;
    final List<HostSpec> hosts;
    final String user;
    final String password;
    final String dbname;
    /** The .cf file's {@code encoding}; null when unset (the service default applies). */
    final String encoding;
    final int retryInterval;
    final int idleInterval;
    final String query;
    final String resultFormat;
    final String domain;
    final int expansionLimit;
    final Templates templates;

    private PgsqlConfig(String name, CfgParser s) throws TableOpenException {
        this.name = name;
        user = s.str("user", "", 0);
        password = s.str("password", "", 0);
        dbname = s.str("dbname", "", 0);
        encoding = s.raw("encoding") == null ? null : s.str("encoding", "UTF8", 1);
        if (encoding != null && PgsqlEncoding.forName(encoding) == null) {
            throw s.fatal("encoding", "encoding = " + encoding + ": unknown or unsupported PostgreSQL client encoding;"
                    + " use a PostgreSQL encoding name such as UTF8 or LATIN1");
        }
        retryInterval = s.integer("retry_interval", 60, 1);
        idleInterval = s.integer("idle_interval", 60, 1);
        resultFormat = s.str("result_format", "%s", 1);
        expansionLimit = s.integer("expansion_limit", 0, 0);
        // precedence as Postfix: query, then select_function, then the table/select_field/where_field fields
        String function = s.strOrNull("query") == null ? s.strOrNull("select_function") : null;
        if (function != null) {
            try {
                templates = new Templates("SELECT " + function + "('%s')", resultFormat);
            } catch (Templates.BadTemplate e) {
                throw s.fatal(e.getMessage().startsWith("invalid query") ? "select_function" : "result_format", e.getMessage());
            }
        } else {
            templates = s.sqlTemplates(resultFormat);
        }
        query = templates.query();
        domain = s.str("domain", "", 0);
        List<HostSpec> h = new ArrayList<>();
        String nonUri = null;
        for (String t : s.str("hosts", "", 0).split("[,\\s]+")) {
            if (t.isEmpty()) continue;
            try {
                HostSpec spec = HostSpec.parsePgsql(t);
                h.add(spec);
                if (spec.uri() == null) nonUri = t;
            } catch (IllegalArgumentException e) {
                throw s.fatal("hosts", e.getMessage());
            }
        }
        if (h.isEmpty()) {
            h.add(HostSpec.parsePgsql("localhost"));
            nonUri = "localhost";
        }
        hosts = List.copyOf(h);
        if (nonUri != null && dbname.isEmpty()) {
            throw s.fatal("dbname", "pgsql:" + name + " host target '" + nonUri + "' requires dbname setting;"
                    + " set dbname = <database name> (only connection URIs carry their own)");
        }
    }

    /** Reads the definition named {@code name} (the part after {@code pgsql:}). */
    static PgsqlConfig load(String name, Function<String, String> mainCf) throws TableOpenException {
        return new PgsqlConfig(name, CfgParser.load(name, mainCf));
    }
}
