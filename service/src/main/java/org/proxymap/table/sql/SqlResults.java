package org.proxymap.table.sql;

import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.table.TableException;

/**
 * The parts of an SQL table lookup that Postfix's mysql and pgsql clients share: the
 * {@code domain} filter before the query, and the result: every column of every row
 * through {@code result_format}, joined with commas, up to {@code expansion_limit}.
 */
final class SqlResults {
    private static final Logger log = LogManager.getLogger("proxymap");
    /** Warnings that would repeat on every lookup: at most one per 10 s per table. */
    static final LogLimiter limited = new LogLimiter(10_000);

    private SqlResults() {}

    /**
     * Postfix's {@code db_common_check_domain()}: with a {@code domain} list only keys
     * {@code user@domain} with a listed domain are looked up.
     *
     * @return true when {@code key} may be queried
     */
    static boolean domainAllows(DomainList domain, String key, String fullName) throws TableException {
        if (domain == null) return true;
        int at = key.lastIndexOf('@');
        if (at <= 0 || at == key.length() - 1) return false;
        try {
            return domain.matches(key.substring(at + 1));
        } catch (TableException e) {
            log.warn("{} 'domain' pattern match failed for '{}': {}", fullName, key, e.getMessage());
            throw e;
        }
    }

    /**
     * Joins the fields of {@code rows}: a null field is skipped silently, an empty one with
     * Postfix's "empty lookup result" warning; more than {@code expansionLimit} (when
     * above 0) elements answer RETRY.
     *
     * @param function Postfix's function name for the expansion limit warning
     * @return the result, or null when nothing is left (not found)
     */
    static String join(List<String[]> rows, Templates templates, String key, int expansionLimit, String fullName,
                       String function, String name) throws TableException {
        StringBuilder out = new StringBuilder();
        int expansion = 0;
        for (String[] row : rows) {
            for (String field : row) {
                if (field == null) continue;
                if (field.isEmpty()) {
                    limited.warn(fullName + " empty", "table \"" + fullName + "\": empty lookup result for: \"" + key + "\" -- ignored");
                    continue;
                }
                if (templates.expandResult(field, key, out) && expansionLimit > 0 && ++expansion > expansionLimit) {
                    log.warn("{}: {}: Expansion limit exceeded for key: '{}'", function, name, key);
                    throw TableException.retry(fullName + ": expansion limit " + expansionLimit + " exceeded for key " + key);
                }
            }
        }
        return out.isEmpty() ? null : out.toString();
    }
}
