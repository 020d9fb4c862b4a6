package org.proxymap.table.sql;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.proxymap.config.MainCf;
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
    /** Where values come from: the .cf file, or main.cf with a prefix. */
    private interface Source {
        String get(String name);
        String where(String name);
    }

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

    private final Source source;

    private MysqlConfig(String name, Source s) throws TableOpenException {
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
        String q = strOrNull("query");
        if (q == null) {
            String table = strOrNull("table");
            String select = strOrNull("select_field");
            String where = strOrNull("where_field");
            for (String[] p : new String[][] {{"table", table}, {"select_field", select}, {"where_field", where}}) {
                if (p[1] == null) {
                    throw fatal(p[0], "neither query nor the legacy '" + p[0] + "' parameter is set; set query = SELECT ... WHERE ...='%s'"
                            + " (or table, select_field and where_field)");
                }
            }
            q = Templates.legacyQuery(select, table, where, str("additional_conditions", "", 0));
        }
        query = q;
        try {
            templates = new Templates(query, resultFormat);
        } catch (Templates.BadTemplate e) {
            String parameter = !e.getMessage().startsWith("invalid query") ? "result_format"
                    : strOrNull("query") != null ? "query" : "additional_conditions";
            throw fatal(parameter, e.getMessage());
        }
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
        if (name.startsWith("/") || name.startsWith(".")) {
            MainCf cf = new MainCf().fileName(name);
            try (Reader r = Files.newBufferedReader(Path.of(name), StandardCharsets.ISO_8859_1)) {
                cf.read(r);
            } catch (NoSuchFileException e) {
                throw new TableOpenException("open " + name + ": No such file or directory");
            } catch (AccessDeniedException e) {
                throw new TableOpenException("open " + name + ": Permission denied; the file must be readable by the proxymap service user");
            } catch (IOException e) {
                throw new TableOpenException("open " + name + ": " + e.getMessage());
            } catch (ConfigurationException e) {
                throw new TableOpenException(e.getMessage());
            }
            return new MysqlConfig(name, new Source() {
                public String get(String n) { return cf.raw(n); }
                public String where(String n) { return cf.line(n) > 0 ? cf.where(n) : name; }
            });
        }
        // legacy: parameters in main.cf as <name>_<parameter>, with $name expansion
        return new MysqlConfig(name, new Source() {
            public String get(String n) { return mainCf.apply(name + "_" + n); }
            public String where(String n) { return "main.cf: " + name + "_" + n; }
        });
    }

    private TableOpenException fatal(String parameter, String problem) {
        return new TableOpenException(source.where(parameter) + ": " + problem);
    }

    private String str(String n, String def, int min) throws TableOpenException {
        String v = source.get(n);
        if (v == null) v = def;
        if (v.length() < min) {
            throw fatal(n, "parameter " + n + " must not be empty; set " + n + " = " + hint(n));
        }
        return v;
    }

    private static String hint(String n) {
        return switch (n) {
            case "dbname" -> "<database name>";
            case "charset" -> "utf8mb4 (the default)";
            case "result_format" -> "%s (the default)";
            default -> "<value>";
        };
    }

    /** Postfix's {@code cfg_get_str(..., NULL, 0, 0)}: unset or empty is null. */
    private String strOrNull(String n) {
        String v = source.get(n);
        return v == null || v.isEmpty() ? null : v;
    }

    private int integer(String n, int def, int min) throws TableOpenException {
        String v = source.get(n);
        int x = def;
        if (v != null) {
            try {
                x = Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                throw fatal(n, "bad numerical configuration: " + n + " = " + v + "; use a whole number");
            }
        }
        if (x < min) throw fatal(n, "invalid " + n + " parameter value " + x + " < " + min);
        return x;
    }

    private int bool(String n, int def) throws TableOpenException {
        String v = source.get(n);
        if (v == null) return def;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes" -> 1;
            case "no" -> 0;
            default -> throw fatal(n, "bad boolean configuration: " + n + " = " + v + "; use yes or no");
        };
    }

    /** True when any tls_* parameter asks for TLS (Postfix then calls mysql_ssl_set). */
    boolean tls() {
        return tlsKeyFile != null || tlsCertFile != null || tlsCAfile != null || tlsCApath != null || tlsCiphers != null;
    }
}
