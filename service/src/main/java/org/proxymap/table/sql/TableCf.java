package org.proxymap.table.sql;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.proxymap.config.MainCf;
import org.proxymap.table.TableOpenException;

/**
 * The parameters of one SQL table definition, read as Postfix's {@code cfg_parser} reads
 * them: from a {@code .cf} file when the table name starts with {@code /} or {@code .},
 * else from main.cf as {@code <name>_<parameter>}. Values in a .cf file are literal (no
 * {@code $name} expansion). A value Postfix treats as fatal becomes a
 * {@link TableOpenException} naming the file and line, the parameter and the fix.
 */
final class TableCf {
    /** Where values come from: the .cf file, or main.cf with a prefix. */
    private interface Source {
        String get(String name);
        String where(String name);
    }

    private final Source source;

    private TableCf(Source source) { this.source = source; }

    /** Reads the definition named {@code name} (the part after {@code type:}). */
    static TableCf load(String name, Function<String, String> mainCf) throws TableOpenException {
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
            return new TableCf(new Source() {
                public String get(String n) { return cf.raw(n); }
                public String where(String n) { return cf.line(n) > 0 ? cf.where(n) : name; }
            });
        }
        // legacy: parameters in main.cf as <name>_<parameter>, with $name expansion
        return new TableCf(new Source() {
            public String get(String n) { return mainCf.apply(name + "_" + n); }
            public String where(String n) { return "main.cf: " + name + "_" + n; }
        });
    }

    TableOpenException fatal(String parameter, String problem) {
        return new TableOpenException(source.where(parameter) + ": " + problem);
    }

    /** The raw value, null when unset. */
    String get(String n) { return source.get(n); }

    /** Postfix's {@code cfg_get_str(..., def, min, 0)}. */
    String str(String n, String def, int min) throws TableOpenException {
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
            case "encoding" -> "UTF8 (the default)";
            case "result_format" -> "%s (the default)";
            default -> "<value>";
        };
    }

    /** Postfix's {@code cfg_get_str(..., NULL, 0, 0)}: unset or empty is null. */
    String strOrNull(String n) {
        String v = source.get(n);
        return v == null || v.isEmpty() ? null : v;
    }

    /** Postfix's {@code cfg_get_int(..., def, min, 0)}. */
    int integer(String n, int def, int min) throws TableOpenException {
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

    /** Postfix's {@code cfg_get_bool()}: -1 when unset. */
    int bool(String n, int def) throws TableOpenException {
        String v = source.get(n);
        if (v == null) return def;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes" -> 1;
            case "no" -> 0;
            default -> throw fatal(n, "bad boolean configuration: " + n + " = " + v + "; use yes or no");
        };
    }

    /**
     * The query template: {@code query}, else {@code legacy} (pgsql's {@code select_function})
     * when it gives one, else Postfix's {@code db_common_sql_build_query()} from
     * {@code select_field}, {@code table}, {@code where_field} and {@code additional_conditions}.
     */
    String query(Function<TableCf, String> legacy) throws TableOpenException {
        String q = strOrNull("query");
        if (q != null) return q;
        if (legacy != null && (q = legacy.apply(this)) != null) return q;
        String table = strOrNull("table");
        String select = strOrNull("select_field");
        String where = strOrNull("where_field");
        for (String[] p : new String[][] {{"table", table}, {"select_field", select}, {"where_field", where}}) {
            if (p[1] == null) {
                throw fatal(p[0], "neither query nor the legacy '" + p[0] + "' parameter is set; set query = SELECT ... WHERE ...='%s'"
                        + " (or table, select_field and where_field)");
            }
        }
        return Templates.legacyQuery(select, table, where, str("additional_conditions", "", 0));
    }

    /** Parses {@code query} and {@code result_format}, naming the parameter at fault. */
    Templates templates(String query, String resultFormat) throws TableOpenException {
        try {
            return new Templates(query, resultFormat);
        } catch (Templates.BadTemplate e) {
            String parameter = !e.getMessage().startsWith("invalid query") ? "result_format"
                    : strOrNull("query") != null ? "query" : "additional_conditions";
            throw fatal(parameter, e.getMessage());
        }
    }
}
