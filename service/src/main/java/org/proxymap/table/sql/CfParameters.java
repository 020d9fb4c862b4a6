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
 * The parameters of one database table definition, read as Postfix's {@code cfg_parser}
 * reads them: from a {@code .cf} file when the table name starts with {@code /} or
 * {@code .}, else from main.cf as {@code <name>_<parameter>}. Values in a .cf file are
 * literal (no {@code $name} expansion). A value Postfix treats as fatal is a
 * {@link TableOpenException} naming file:line (or the main.cf parameter) and the fix.
 */
public final class CfParameters {
    private final Function<String, String> get;
    private final Function<String, String> where;

    private CfParameters(Function<String, String> get, Function<String, String> where) {
        this.get = get;
        this.where = where;
    }

    /** Reads the definition named {@code name} (the part after {@code type:}). */
    public static CfParameters load(String name, Function<String, String> mainCf) throws TableOpenException {
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
            return new CfParameters(cf::raw, n -> cf.line(n) > 0 ? cf.where(n) : name);
        }
        // legacy: parameters in main.cf as <name>_<parameter>, with $name expansion
        return new CfParameters(n -> mainCf.apply(name + "_" + n), n -> "main.cf: " + name + "_" + n);
    }

    /** The raw value, null when unset. */
    public String get(String n) { return get.apply(n); }

    /** Where {@code n} is set: "file, line N", the file, or the main.cf parameter. */
    public String where(String n) { return where.apply(n); }

    public TableOpenException fatal(String parameter, String problem) {
        return new TableOpenException(where(parameter) + ": " + problem);
    }

    /** Postfix's {@code cfg_get_str(..., def, min, 0)}; {@code hint} is the suggested value. */
    public String str(String n, String def, int min, String hint) throws TableOpenException {
        String v = get(n);
        if (v == null) v = def;
        if (v.length() < min) {
            throw fatal(n, "parameter " + n + " must not be empty; set " + n + " = " + hint);
        }
        return v;
    }

    /** Postfix's {@code cfg_get_str(..., NULL, 0, 0)}: unset or empty is null. */
    public String strOrNull(String n) {
        String v = get(n);
        return v == null || v.isEmpty() ? null : v;
    }

    /** Postfix's {@code cfg_get_int(..., def, min, max)}; max 0 is no maximum. */
    public int integer(String n, int def, int min, int max) throws TableOpenException {
        String v = get(n);
        int x = def;
        if (v != null) {
            try {
                x = Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                throw fatal(n, "bad numerical configuration: " + n + " = " + v + "; use a whole number");
            }
        }
        if (x < min) throw fatal(n, "invalid " + n + " parameter value " + x + " < " + min);
        if (max > 0 && x > max) throw fatal(n, "invalid " + n + " parameter value " + x + " > " + max);
        return x;
    }

    /** Postfix's {@code cfg_get_bool}: 1 yes, 0 no, {@code def} when unset. */
    public int bool(String n, int def) throws TableOpenException {
        String v = get(n);
        if (v == null) return def;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes" -> 1;
            case "no" -> 0;
            default -> throw fatal(n, "bad boolean configuration: " + n + " = " + v + "; use yes or no");
        };
    }
}
