package org.proxymap.table;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** A table could not be opened; the message is logged as Postfix would ("open database X: ..."). */
public final class TableOpenException extends Exception {
    public TableOpenException(String message) { super(message); }

    public TableOpenException(String message, Throwable cause) { super(message, cause); }

    /** Postfix's {@code "open %s: %m"} when {@code what} (e.g. "database /etc/postfix/x.cdb") does not exist. */
    public static TableOpenException missing(String what) {
        return new TableOpenException("open " + what + ": No such file or directory");
    }

    /** A read-only type opened through proxywrite: Postfix's "{@code type:name} map requires O_RDONLY access mode". */
    public static TableOpenException readOnly(String type, String name) {
        return new TableOpenException(type + ":" + name + " map requires O_RDONLY access mode");
    }

    /**
     * Postfix's {@code "open %s: %m"} for an I/O failure opening {@code what}, with the C
     * library's words for the usual errors (Java's exceptions carry only the file name).
     */
    public static TableOpenException open(String what, IOException e) {
        if (e instanceof NoSuchFileException) return missing(what);
        if (e instanceof AccessDeniedException) return new TableOpenException("open " + what + ": Permission denied", e);
        return new TableOpenException("open " + what + ": " + e.getMessage(), e);
    }
}
