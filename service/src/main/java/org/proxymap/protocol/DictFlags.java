package org.proxymap.protocol;

/** Dictionary flag bits ({@code src/util/dict.h}); only the ones the server acts on are named. */
public final class DictFlags {
    private DictFlags() {}

    public static final int DUP_WARN = 0x1;
    public static final int DUP_IGNORE = 0x2;
    /** file databases: try the key without a trailing NUL */
    public static final int TRY0NULL = 0x4;
    /** file databases: try the key with a trailing NUL */
    public static final int TRY1NULL = 0x8;
    public static final int FIXED = 0x10;
    public static final int PATTERN = 0x20;
    /** the client locks the table around an update (our tables lock for themselves) */
    public static final int LOCK = 0x40;
    public static final int DUP_REPLACE = 0x80;
    public static final int SYNC_UPDATE = 0x100;
    /** paranoid: skip rules that substitute $n (trivial-rewrite's transport_maps) */
    public static final int NO_REGSUB = 0x800;
    public static final int FOLD_FIX = 0x4000;
    public static final int FOLD_MUL = 0x8000;
    /** lock a table that is not multi-writer safe exclusively for as long as it is open */
    public static final int OPEN_LOCK = 0x10000;
    public static final int MULTI_WRITER = 0x40000;
    /** the client sends UTF-8 keys (smtputf8_enable) */
    public static final int UTF8_REQUEST = 0x80000;

    /** What Postfix's daemons send with a lookup: LOCK | FOLD_FIX | UTF8_REQUEST. */
    public static final int DAEMON_LOOKUP = LOCK | FOLD_FIX | UTF8_REQUEST;

    /** Implementation bits a table reports: fixed, pattern, multi_writer (IMPL_MASK up to 3.10). */
    public static final int IMPL_MASK = FIXED | PATTERN | MULTI_WRITER;
    /** Per-request bits of dialects A and B (RQST_MASK up to 3.10). */
    public static final int RQST_MASK = 0x8F9C3;
    /** Per-instance bits of dialects A and B (INST_MASK up to 3.10). */
    public static final int INST_MASK = ~(IMPL_MASK | RQST_MASK);
}
