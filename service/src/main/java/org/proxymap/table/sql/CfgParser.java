package org.proxymap.table.sql;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.proxymap.config.MainCf;
import org.proxymap.table.TableOpenException;

/**
 * The parameters of one table definition, read as Postfix's {@code cfg_parser} reads them
 * (mysql, pgsql, sqlite, memcache, ...): from a {@code .cf} file when the table name starts
 * with {@code /} or {@code .}, else from main.cf as {@code <name>_<parameter>}. Values in a
 * .cf file are literal (no {@code $name} expansion). A value that Postfix treats as fatal
 * (a bad number, a bad boolean, an empty required value) is a {@link TableOpenException}
 * naming the file and line, the parameter and the fix.
 */
public final class CfgParser {
    /** Where values come from: the .cf file, or main.cf with a prefix. */
    private interface Source {
        String get(String name);
        String where(String name);
    }

    private final String name;
    private final Source source;

    private CfgParser(String name, Source source) {
        this.name = name;
        this.source = source;
    }

    /** Reads the definition named {@code name} (the part after {@code type:}). */
    public static CfgParser load(String name, Function<String, String> mainCf) throws TableOpenException {
        if (isFile(name)) {
            MainCf cf = new MainCf().fileName(name);
            try (Reader r = Files.newBufferedReader(Path.of(name), StandardCharsets.ISO_8859_1)) {
                cf.read(r);
            } catch (AccessDeniedException e) {
                throw new TableOpenException("open " + name + ": Permission denied; the file must be readable by the proxymap service user");
            } catch (IOException e) {
                throw TableOpenException.open(name, e);
            } catch (ConfigurationException e) {
                throw new TableOpenException(e.getMessage());
            }
            return new CfgParser(name, new Source() {
                public String get(String n) { return cf.raw(n); }
                public String where(String n) { return cf.line(n) > 0 ? cf.where(n) : name; }
            });
        }
        // legacy: parameters in main.cf as <name>_<parameter>, with $name expansion
        return new CfgParser(name, new Source() {
            public String get(String n) { return mainCf.apply(name + "_" + n); }
            public String where(String n) { return "main.cf: " + name + "_" + n; }
        });
    }

    /** Postfix's rule: a name starting with {@code /} or {@code .} is a file, anything else a main.cf prefix. */
    public static boolean isFile(String name) { return name.startsWith("/") || name.startsWith("."); }

    /** The table name this definition was read for. */
    public String name() { return name; }

    /** The raw value, or null when unset. */
    public String raw(String n) { return source.get(n); }

    /** {@code file, line N} of {@code n}'s assignment (or the file / main.cf parameter), for messages. */
    public String where(String n) { return source.where(n); }

    /** A fatal problem with parameter {@code n}, located at its assignment. */
    public TableOpenException fatal(String n, String problem) {
        return new TableOpenException(source.where(n) + ": " + problem);
    }

    /** Postfix's {@code cfg_get_str(name, def, min, 0)}: a value shorter than {@code min} is fatal. */
    public String str(String n, String def, int min) throws TableOpenException {
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
            case "dbpath" -> "<path of the SQLite database file>";
            case "charset" -> "utf8mb4 (the default)";
            case "encoding" -> "UTF8 (the default)";
            case "result_format" -> "%s (the default)";
            default -> "<value>";
        };
    }

    /** Postfix's {@code cfg_get_str(..., NULL, 0, 0)}: unset or empty is null. */
    public String strOrNull(String n) {
        String v = source.get(n);
        return v == null || v.isEmpty() ? null : v;
    }

    /** Postfix's {@code cfg_get_int(name, def, min, 0)}. */
    public int integer(String n, int def, int min) throws TableOpenException {
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

    /** Postfix's {@code cfg_get_bool}: -1 when unset and {@code def} is -1, else 0 or 1. */
    public int bool(String n, int def) throws TableOpenException {
        String v = source.get(n);
        if (v == null) return def;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes" -> 1;
            case "no" -> 0;
            default -> throw fatal(n, "bad boolean configuration: " + n + " = " + v + "; use yes or no");
        };
    }

    /**
     * The {@code query} and {@code result_format} templates of an SQL table ({@code query}, or
     * Postfix's legacy {@code table}/{@code select_field}/{@code where_field}/{@code additional_conditions}).
     */
    public Templates sqlTemplates(String resultFormat) throws TableOpenException {
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
        try {
            return new Templates(q, resultFormat);
        } catch (Templates.BadTemplate e) {
            String parameter = !e.getMessage().startsWith("invalid query") ? "result_format"
                    : strOrNull("query") != null ? "query" : "additional_conditions";
            throw fatal(parameter, e.getMessage());
        }
    }
}
