package org.proxymap.table.mdb;

import java.io.IOException;

/** An LMDB call failed: its return code (0 when the library could not be used) and text. */
public final class MdbException extends IOException {
    private final int code;

    public MdbException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** LMDB's error code ({@link Lmdb#MDB_MAP_FULL}, ...) or an errno value. */
    public int code() { return code; }
}
