package org.proxymap.table;

import static org.proxymap.protocol.DictFlags.*;

/**
 * The client's flags as they decide how a table instance opens and how a key matches: the
 * one place where Postfix's {@code DICT_FLAG_*} semantics are turned into table behaviour.
 *
 * <h2>Where the flags come from (what Postfix's own server does)</h2>
 * <ul>
 * <li><b>Dialects A and B</b> (clients up to 3.10; {@code proxymap.c} of 3.5 and 3.7): the
 *   client's {@code open} sends {@code flags = dict_flags & INST_MASK}, usually 0, or
 *   {@code try0null} ({@code postmap -n}) / {@code try1null} ({@code -N}); the server keys the
 *   instance on {@code flags & INST_MASK} and opens it with those flags. So a B instance
 *   never has {@code fold_fix} or a {@code dup_*} bit when it loads: texthash keeps its keys
 *   as written and two keys that differ only in case are two keys. The 3.7 client folds the
 *   key itself (EAI on), or sends {@code fold_fix} in the lookup's request flags (EAI off),
 *   and the server folds the key per request. (A real 3.7 process whose first request for a
 *   table is a lookup, not an open, opens it with that lookup's flags; every client opens
 *   first, so the open's flags are the ones taken here.)</li>
 * <li><b>Dialect C</b> (3.11+): every request carries the client's whole
 *   {@code instance_flags} (postmap 540737 = {@code warn_dup|lock|fold_fix|utf8_request},
 *   smtpd and cleanup 540736, {@code postmap -f} 524353); the server opens one instance per
 *   value with exactly those flags. A texthash or inline table opened with {@code fold_fix}
 *   lowercases its keys while it loads; the {@code dup_*} bits decide what a duplicate does
 *   (dict_thash.c). The key is sent as typed and the server folds it per request.</li>
 * </ul>
 *
 * <h2>What each bit changes</h2>
 * <ul>
 * <li>{@link #foldKeysAtLoad()}: {@code fold_fix}: in-memory fixed tables (texthash, inline)
 *   store lowercased keys (Postfix's dict_ht).</li>
 * <li>{@link #duplicates()}: {@code dup_ignore} (first wins, silently), {@code dup_replace}
 *   (last wins), {@code dup_warn} (first wins with a warning), none of them: the whole table
 *   becomes a surrogate naming the duplicate (texthash; inline always lets the last win).</li>
 * <li>{@link #tryWithNul()} / {@link #tryWithoutNul()}: {@code try1null} / {@code try0null}:
 *   which key forms a file database (cdb, lmdb, hash) tries; neither bit means both.</li>
 * <li>{@link #noRegsub()}: {@code no_regsub}: pattern tables skip rules that substitute.</li>
 * <li>Per request, not per instance: {@link #lookupKey}: {@code fold_fix} lowercases the key
 *   for fixed tables, {@code fold_mul} for pattern tables, as each dict's lookup does.</li>
 * </ul>
 *
 * <h2>Sharing instances</h2>
 * The registry opens one instance per table name, access mode and
 * {@code bits & type.openFlagsMask()}: a type lists the bits that change how it opens
 * ({@link TableType#openFlagsMask()}, by default all of {@link #LOAD_MASK}), so flag sets that
 * cannot change an answer share one instance, and a client cannot multiply instances beyond
 * the 2^8 combinations of {@link #LOAD_MASK}.
 *
 * <p>Not modelled: the try0null/try1null narrowing after the first hit (a file that postmap
 * built has one form for all keys, so narrowing changes no answer), and Unicode case folding
 * of non-ASCII keys (Postfix's server-side UTF-8 layer in 3.11+); folding here is ASCII only.
 *
 * @param bits the client's instance flags: {@code instance_flags} (C) or
 *             {@code flags & INST_MASK} (A, B)
 */
public record OpenFlags(int bits) {
    /** Every bit that can change how an instance opens. */
    public static final int LOAD_MASK = DUP_WARN | DUP_IGNORE | DUP_REPLACE | TRY0NULL | TRY1NULL
            | FOLD_FIX | FOLD_MUL | NO_REGSUB;
    /** What texthash and inline loading depends on. */
    public static final int IN_MEMORY_MASK = FOLD_FIX | DUP_WARN | DUP_IGNORE | DUP_REPLACE;
    /** What a file database (cdb, lmdb, hash, btree) depends on. */
    public static final int NUL_MASK = TRY0NULL | TRY1NULL;

    /** What a duplicate key does while a table loads. */
    public enum Duplicates {
        /** the first value stays, silently */
        IGNORE,
        /** the last value wins */
        REPLACE,
        /** the first value stays, with a warning naming file and line */
        WARN,
        /** the table cannot be used: every lookup answers RETRY, the log names the duplicate */
        FAIL
    }

    /** The instance flags of a request: {@code instance_flags} in dialect C, else {@code flags & INST_MASK}. */
    public static OpenFlags of(boolean dialectC, long instanceFlags, long flags) {
        return new OpenFlags((int) (dialectC ? instanceFlags : flags & INST_MASK));
    }

    /** Only the bits that {@code mask} keeps: the instance key of a type. */
    public OpenFlags only(int mask) { return new OpenFlags(bits & mask); }

    public boolean foldKeysAtLoad() { return (bits & FOLD_FIX) != 0; }

    public boolean noRegsub() { return (bits & NO_REGSUB) != 0; }

    /** dict_thash.c's order: ignore, then replace, then warn, else fail. */
    public Duplicates duplicates() {
        if ((bits & DUP_IGNORE) != 0) return Duplicates.IGNORE;
        if ((bits & DUP_REPLACE) != 0) return Duplicates.REPLACE;
        if ((bits & DUP_WARN) != 0) return Duplicates.WARN;
        return Duplicates.FAIL;
    }

    /** Try the key with a trailing NUL ({@code try1null}, or neither bit set). */
    public boolean tryWithNul() { return (bits & TRY1NULL) != 0 || (bits & NUL_MASK) == 0; }

    /** Try the key without a trailing NUL ({@code try0null}, or neither bit set). */
    public boolean tryWithoutNul() { return (bits & TRY0NULL) != 0 || (bits & NUL_MASK) == 0; }

    /** The key to look up: lowercased when the request's flags ask it of this kind of table. */
    public static String lookupKey(int implFlags, long requestFlags, String key) {
        boolean fold = ((implFlags & FIXED) != 0 && (requestFlags & FOLD_FIX) != 0)
                || ((implFlags & PATTERN) != 0 && (requestFlags & FOLD_MUL) != 0);
        return fold ? Keys.asciiLower(key) : key;
    }

    /** {@code dict_flags_str()}-style names of the bits, for logs and JMX. */
    @Override
    public String toString() { return "OpenFlags[0x" + Integer.toHexString(bits) + "]"; }
}
