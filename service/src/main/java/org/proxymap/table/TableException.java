package org.proxymap.table;

import org.proxymap.protocol.Status;

/** A table operation failed: the client gets RETRY (temporary) or CONFIG, or NOKEY for a change not made. */
public final class TableException extends Exception {
    private final int status;

    private TableException(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    public static TableException retry(String message) { return new TableException(Status.RETRY, message, null); }

    public static TableException retry(String message, Throwable cause) {
        return new TableException(Status.RETRY, message, cause);
    }

    /**
     * The operation changed nothing and that is no error: the client gets NOKEY, as for
     * Postfix's {@code DICT_STAT_FAIL} without an error (e.g. an update memcache skips).
     */
    public static TableException noKey(String message) { return new TableException(Status.NOKEY, message, null); }

    public static TableException config(String message) { return new TableException(Status.CONFIG, message, null); }

    public int status() { return status; }
}
