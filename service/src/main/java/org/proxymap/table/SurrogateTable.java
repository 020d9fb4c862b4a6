package org.proxymap.table;

import java.util.Iterator;
import java.util.Map;
import org.proxymap.protocol.DictFlags;

/**
 * Stands in for a table that could not be opened, as Postfix's {@code dict_surrogate()}:
 * the open succeeds (a client that gets anything but OK on open retries forever), and
 * every operation fails with RETRY and a warning that repeats the reason.
 * The warning is logged at most once a second per table, with a count of what was held back.
 */
final class SurrogateTable implements LookupTable {
    private final String fullName;
    private final String reason;
    private final LogLimiter warnings = new LogLimiter(1000);

    SurrogateTable(String fullName, String reason) {
        this.fullName = fullName;
        this.reason = reason;
    }

    @Override
    public int implFlags() { return DictFlags.PATTERN; }

    private TableException fail() {
        String message = fullName + " is unavailable. " + reason;
        warnings.warn(fullName, message);
        return TableException.retry(message);
    }

    @Override
    public String lookup(String key) throws TableException { throw fail(); }

    @Override
    public void update(String key, String value) throws TableException { throw fail(); }

    @Override
    public boolean delete(String key) throws TableException { throw fail(); }

    @Override
    public Iterator<Map.Entry<String, String>> entries() throws TableException { throw fail(); }
}
