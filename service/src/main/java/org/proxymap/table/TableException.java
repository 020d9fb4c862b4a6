package org.proxymap.table;

import org.proxymap.protocol.Status;

/** A table operation failed: the client gets RETRY (temporary) or CONFIG. */
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

    public static TableException config(String message) { return new TableException(Status.CONFIG, message, null); }

    public int status() { return status; }
}
