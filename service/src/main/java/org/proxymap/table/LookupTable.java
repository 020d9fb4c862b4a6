package org.proxymap.table;

import java.util.Iterator;
import java.util.Map;

/**
 * A lookup table as the dispatcher sees it: Postfix's dict interface, minus flags juggling.
 *
 * <p>Keys arrive already case-folded when the request asked for it. Strings are
 * ISO-8859-1 decoded wire bytes (see {@link org.proxymap.protocol.AttrList}).
 * Implementations are shared by every client and must be thread-safe.
 */
public interface LookupTable extends AutoCloseable {

    /** {@link org.proxymap.protocol.DictFlags#FIXED} or PATTERN, plus MULTI_WRITER where true. */
    int implFlags();

    /** @return the value, or null when the key is not in the table */
    String lookup(String key) throws TableException;

    /** @throws TableException with status DENY-free RETRY when the table is read-only */
    default void update(String key, String value) throws TableException {
        throw TableException.retry("table does not support update");
    }

    /** @return false when the key was not there */
    default boolean delete(String key) throws TableException {
        throw TableException.retry("table does not support delete");
    }

    /** A snapshot iteration for {@code sequence}; order is the table's own. */
    default Iterator<Map.Entry<String, String>> entries() throws TableException {
        throw TableException.retry("table does not support sequence");
    }

    /** Releases files, pools and threads. Called once, after the last in-flight request. */
    @Override
    default void close() {}
}
