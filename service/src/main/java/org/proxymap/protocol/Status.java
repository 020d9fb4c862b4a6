package org.proxymap.protocol;

/** Reply status codes of the proxymap protocol ({@code src/global/dict_proxy.h: PROXY_STAT_*}). */
public final class Status {
    private Status() {}

    /** The operation succeeded. */
    public static final int OK = 0;
    /** Not found, or an update/delete that changed nothing. */
    public static final int NOKEY = 1;
    /** Temporary failure: the client defers and tries again. */
    public static final int RETRY = 2;
    /** Malformed request. Fatal to a real client on lookups. */
    public static final int BAD = 3;
    /** Table not approved, or a write on the read-only service. Fatal to a real client. */
    public static final int DENY = 4;
    /** Configuration error of the table (Postfix 3.0+). */
    public static final int CONFIG = 5;

    private static final String[] NAMES = {"OK", "NOKEY", "RETRY", "BAD", "DENY", "CONFIG"};
    /** How many codes there are: 0 to COUNT - 1. */
    public static final int COUNT = NAMES.length;

    public static String name(int status) {
        return status >= 0 && status < NAMES.length ? NAMES[status] : "STATUS" + status;
    }
}
