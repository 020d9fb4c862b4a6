package org.proxymap.table;

/** A table could not be opened; the message is logged as Postfix would ("open database X: ..."). */
public final class TableOpenException extends Exception {
    public TableOpenException(String message) { super(message); }

    public TableOpenException(String message, Throwable cause) { super(message, cause); }
}
