package org.proxymap.table.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.table.LogLimiter;
import org.proxymap.table.TableException;

/**
 * The {@code query} and {@code result_format} templates of an SQL table, with Postfix's
 * {@code db_common_parse()} / {@code db_common_expand()} rules (src/global/db_common.c).
 *
 * <p>In {@code query} the value is the lookup key: {@code %s} the key, {@code %u} its local
 * part (the whole key without {@code @}), {@code %d} its domain, {@code %S %U %D} the same,
 * {@code %1}..{@code %9} the n-th domain label from the right, {@code %%} a percent sign.
 * In {@code result_format} lowercase codes refer to the result field and uppercase codes
 * and digits to the lookup key. The address is split at the last {@code @}. A key (or
 * field) that cannot fill the template is skipped: no query (or no result element).
 * What a template needs is shared by both templates, as in Postfix: {@code %D} in the
 * result format suppresses queries for keys without a domain, too. A table with several
 * key templates (ldap's {@code search_base} and {@code query_filter}) shares them likewise.
 */
public final class Templates {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final int KEY_DOMAIN = 1, KEY_USER = 2, VALUE_DOMAIN = 4, VALUE_USER = 8;

    private final String query;
    private final String result;
    private int flags;
    private int nparts;

    /** A template with a bad {@code %} sequence. */
    public static final class BadTemplate extends Exception {
        BadTemplate(String message) { super(message); }
    }

    public Templates(String query, String resultFormat) throws BadTemplate {
        this.query = query;
        this.result = resultFormat;
        parse(query, true);
        parse(resultFormat, false);
    }

    /**
     * Key templates (each filled with {@link #expand}) and a result format, parsed in that
     * order as Postfix's {@code db_common_parse()} calls do.
     *
     * @throws BadTemplate naming the first bad template, "invalid query" for a key template
     */
    public Templates(java.util.List<String> keyTemplates, String resultFormat) throws BadTemplate {
        this.query = keyTemplates.isEmpty() ? "" : keyTemplates.get(0);
        this.result = resultFormat;
        for (String t : keyTemplates) parse(t, true);
        parse(resultFormat, false);
    }

    /** Whether {@code format} has a substitution (Postfix's "dynamic" template). */
    public static boolean dynamic(String format) {
        for (int i = 0; i + 1 < format.length(); i++) {
            if (format.charAt(i) == '%') {
                if (format.charAt(i + 1) != '%') return true;
                i++;
            }
        }
        return false;
    }

    private void parse(String format, boolean isQuery) throws BadTemplate {
        for (int i = 0; i < format.length(); i++) {
            if (format.charAt(i) != '%') continue;
            char c = ++i < format.length() ? format.charAt(i) : 0;
            switch (c) {
                case '%', 's', 'S' -> { }
                case 'u' -> flags |= isQuery ? KEY_USER : VALUE_USER;
                case 'd' -> flags |= isQuery ? KEY_DOMAIN : VALUE_DOMAIN;
                case 'U' -> flags |= KEY_USER;
                case 'D' -> flags |= KEY_DOMAIN;
                case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
                    nparts = Math.max(nparts, c - '0');
                    flags |= KEY_DOMAIN;
                }
                default -> throw new BadTemplate("invalid " + (isQuery ? "query" : "result_format") + " template \""
                        + format + "\": " + (c == 0 ? "'%' at the end" : "unknown sequence %" + c)
                        + "; valid are %s %u %d %S %U %D %1-%9 and %% for a literal '%'");
            }
        }
    }

    public String query() { return query; }

    String resultFormat() { return result; }

    /**
     * Expands the query for {@code key}, each substituted value passed through {@code quote}.
     *
     * @return the query, or null when the key cannot fill the template (no query, not found)
     */
    public String expandQuery(String key, UnaryOperator<String> quote) {
        return expand(query, key, quote);
    }

    /**
     * Expands the key template {@code template} (one given to the constructor) for {@code key}.
     *
     * @return the expansion, or null when the key cannot fill the template
     */
    public String expand(String query, String key, UnaryOperator<String> quote) {
        if (key.isEmpty()) return null;
        int at = (flags & (KEY_DOMAIN | KEY_USER)) != 0 ? key.lastIndexOf('@') : -1;
        String domain = at >= 0 ? key.substring(at + 1) : null;
        if (((domain == null || domain.isEmpty()) && (flags & KEY_DOMAIN) != 0) || (at == 0 && (flags & KEY_USER) != 0)) {
            return null;
        }
        List<String> parts = labels(domain);
        if (parts == null) return null;
        String user = at >= 0 ? key.substring(0, at) : key;
        StringBuilder sb = new StringBuilder(query.length() + 2 * key.length());
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            c = query.charAt(++i);
            switch (c) {
                case '%' -> sb.append('%');
                case 's', 'S' -> sb.append(quote.apply(key));
                case 'u', 'U' -> sb.append(quote.apply(user));
                case 'd', 'D' -> sb.append(quote.apply(domain));
                default -> sb.append(quote.apply(parts.get(parts.size() - (c - '0'))));
            }
        }
        return sb.toString();
    }

    /** Domain labels for %1-%9 (empty labels dropped, as argv_split does); null when too few. */
    private List<String> labels(String domain) {
        if (nparts == 0) return List.of();
        List<String> parts = new ArrayList<>();
        if (domain != null) {
            for (String p : domain.split("\\.")) if (!p.isEmpty()) parts.add(p);
        }
        return parts.size() < nparts ? null : parts;
    }

    /**
     * Appends {@code result_format} expanded for one result field, comma-separated.
     *
     * @return false when the field was skipped (empty, or lacking a part the format needs)
     */
    public boolean expandResult(String value, String key, StringBuilder out) {
        if (value.isEmpty()) return false;
        int vat = (flags & (VALUE_DOMAIN | VALUE_USER)) != 0 ? value.lastIndexOf('@') : -1;
        String vdomain = vat >= 0 ? value.substring(vat + 1) : null;
        if (((vdomain == null || vdomain.isEmpty()) && (flags & VALUE_DOMAIN) != 0) || (vat == 0 && (flags & VALUE_USER) != 0)) {
            return false;
        }
        int kat = (flags & (KEY_DOMAIN | KEY_USER)) != 0 ? key.lastIndexOf('@') : -1;
        String kdomain = kat >= 0 ? key.substring(kat + 1) : null;
        if (((kdomain == null || kdomain.isEmpty()) && (flags & KEY_DOMAIN) != 0) || (kat == 0 && (flags & KEY_USER) != 0)) {
            return false;
        }
        List<String> parts = labels(kdomain);
        if (parts == null) return false;
        if (!out.isEmpty()) out.append(',');
        for (int i = 0; i < result.length(); i++) {
            char c = result.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            c = result.charAt(++i);
            switch (c) {
                case '%' -> out.append('%');
                case 's' -> out.append(value);
                case 'u' -> out.append(vat >= 0 ? value.substring(0, vat) : value);
                case 'd' -> out.append(vdomain);
                case 'S' -> out.append(key);
                case 'U' -> out.append(kat >= 0 ? key.substring(0, kat) : key);
                case 'D' -> out.append(kdomain);
                default -> out.append(parts.get(parts.size() - (c - '0')));
            }
        }
        return true;
    }

    private static final LogLimiter limited = new LogLimiter(10_000);

    /**
     * Expands {@code result_format} for every result field in order, as the SQL tables call
     * {@code db_common_expand()}: a NULL field (null) is skipped silently, an empty one with
     * Postfix's "empty lookup result" warning, the others are expanded and joined with commas.
     *
     * @param overLimitLog the warning logged when more than {@code expansionLimit} (when above 0)
     *        fields were expanded; the lookup then fails with RETRY
     * @return the value, or null when no field was expanded (not found)
     */
    String expandResults(Iterable<String> fields, String key, int expansionLimit, String fullName, String overLimitLog)
            throws TableException {
        StringBuilder out = new StringBuilder();
        int expansion = 0;
        for (String field : fields) {
            if (field == null) continue;
            if (field.isEmpty()) {
                limited.warn(fullName + " empty", "table \"" + fullName + "\": empty lookup result for: \"" + key + "\" -- ignored");
                continue;
            }
            if (expandResult(field, key, out) && expansionLimit > 0 && ++expansion > expansionLimit) {
                log.warn(overLimitLog);
                throw TableException.retry(fullName + ": expansion limit " + expansionLimit + " exceeded for key " + key);
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    /** Postfix's legacy query: {@code SELECT select_field FROM table WHERE where_field='%s' additional_conditions}. */
    static String legacyQuery(String selectField, String table, String whereField, String additionalConditions) {
        return "SELECT " + selectField + " FROM " + table + " WHERE " + whereField + "='%s' " + additionalConditions;
    }
}
