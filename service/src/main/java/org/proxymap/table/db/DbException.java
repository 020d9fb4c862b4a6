package org.proxymap.table.db;

import java.io.IOException;

/** A Berkeley DB call failed: its return code (0 when the library could not be used) and text. */
public final class DbException extends IOException {
    private final int code;

    public DbException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** Berkeley DB's error code, or an errno value (e.g. 2 for a missing file). */
    public int code() { return code; }
}
