package org.proxymap.table.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.proxymap.table.TableOpenException;

/**
 * The parameters of one mysql_table(5) definition, read as Postfix's
 * {@code mysql_parse_config()} reads them: from a {@code .cf} file when the table name
 * starts with {@code /} or {@code .}, else from main.cf as {@code <name>_<parameter>}.
 * Values in a .cf file are literal (no {@code $name} expansion). A parameter that Postfix
 * treats as fatal (missing {@code dbname}, a bad number, a bad {@code %} sequence) makes
 * the table unusable here: {@link TableOpenException} with the file, the parameter and the fix.
 */
final class MysqlConfig {
    final String name;
    final List<String> hosts;
    final String user;
    final String password;
    final String dbname;
    final String charset;
    final int retryInterval;
    final int idleInterval;
    final String query;
    final String resultFormat;
    final String domain;
    final int expansionLimit;
    final String optionFile;
    final String optionGroup;
    final boolean requireResultSet;
    final String tlsCertFile;
    final String tlsKeyFile;
    final String tlsCAfile;
    final String tlsCApath;
    final String tlsCiphers;
    /** -1 unset, 0 no, 1 yes */
    final int tlsVerifyCert;
    final Templates templates;

    private final CfgParser source;

    private MysqlConfig(String name, CfgParser s) throws TableOpenException {
        this.name = name;
        this.source = s;
        user = str("user", "", 0);
        password = str("password", "", 0);
        dbname = str("dbname", "", 1);
        charset = str("charset", "utf8mb4", 1);
        retryInterval = integer("retry_interval", 60, 1);
        idleInterval = integer("idle_interval", 60, 1);
        resultFormat = str("result_format", "%s", 1);
        optionFile = strOrNull("option_file");
        optionGroup = str("option_group", "client", 0);
        tlsKeyFile = strOrNull("tls_key_file");
        tlsCertFile = strOrNull("tls_cert_file");
        tlsCAfile = strOrNull("tls_CAfile");
        tlsCApath = strOrNull("tls_CApath");
        tlsCiphers = strOrNull("tls_ciphers");
        tlsVerifyCert = bool("tls_verify_cert", -1);
        requireResultSet = bool("require_result_set", 1) == 1;
        expansionLimit = integer("expansion_limit", 0, 0);
        templates = s.sqlTemplates(resultFormat);
        query = templates.query();
        domain = str("domain", "", 0);
        List<String> h = new ArrayList<>();
        for (String t : str("hosts", "", 0).split("[,\\s]+")) if (!t.isEmpty()) h.add(t);
        if (h.isEmpty()) h.add("localhost");
        hosts = List.copyOf(h);
        if (!Charsets.known(charset)) {
            throw fatal("charset", "charset = " + charset + ": unknown character set; use a MySQL character set name such as utf8mb4 or latin1");
        }
    }

    /** Reads the definition named {@code name} (the part after {@code mysql:}). */
    static MysqlConfig load(String name, Function<String, String> mainCf) throws TableOpenException {
        return new MysqlConfig(name, CfgParser.load(name, mainCf));
    }

    private TableOpenException fatal(String parameter, String problem) { return source.fatal(parameter, problem); }

    private String str(String n, String def, int min) throws TableOpenException { return source.str(n, def, min); }

    private String strOrNull(String n) { return source.strOrNull(n); }

    private int integer(String n, int def, int min) throws TableOpenException { return source.integer(n, def, min); }

    private int bool(String n, int def) throws TableOpenException { return source.bool(n, def); }

    /** True when any tls_* parameter asks for TLS (Postfix then calls mysql_ssl_set). */
    boolean tls() {
        return tlsKeyFile != null || tlsCertFile != null || tlsCAfile != null || tlsCApath != null || tlsCiphers != null;
    }
}
