package org.proxymap.table.file;

import org.proxymap.protocol.DictFlags;
import org.proxymap.table.OpenFlags;

/**
 * Which key forms a Berkeley DB or lmdb table tries, as dict_db.c and dict_lmdb.c decide it:
 * the forms {@link OpenFlags} allows at open (TRY1NULL: the key with its trailing NUL,
 * TRY0NULL: without; both when the client sent neither); whichever form hits first is the
 * only one tried from then on (a narrowing OpenFlags leaves to the table);
 * a write while both are still open stores the NUL (Linux has no DB_NO_TRAILING_NULL).
 * One per table instance; the state may be read by several threads at once (a lost race
 * only means one more form is tried).
 */
final class TrailingNul {
    static final int BOTH = DictFlags.TRY0NULL | DictFlags.TRY1NULL;
    private final int initial;
    private volatile int flags;

    TrailingNul(OpenFlags open) {
        this.initial = (open.tryWithNul() ? DictFlags.TRY1NULL : 0) | (open.tryWithoutNul() ? DictFlags.TRY0NULL : 0);
        this.flags = initial;
    }

    /** The TRY0NULL and TRY1NULL bits now in effect, as Postfix reports them in its dict flags. */
    int flags() { return flags; }

    /** Forgets what was learnt: a new process would (proxymap restarts when the file changes). */
    void reset() { flags = initial; }

    interface Probe<T, E extends Exception> {
        /** @return null when {@code key} is not there */
        T find(byte[] key) throws E;
    }

    /** Looks {@code key} up (or deletes it) in the forms still allowed, learning from a hit. */
    <T, E extends Exception> T probe(byte[] key, Probe<T, E> probe) throws E {
        int f = flags;
        if ((f & DictFlags.TRY1NULL) != 0) {
            T hit = probe.find(java.util.Arrays.copyOf(key, key.length + 1));
            if (hit != null) {
                flags = f & ~DictFlags.TRY0NULL;
                return hit;
            }
        }
        if ((f & DictFlags.TRY0NULL) != 0) {
            T hit = probe.find(key);
            if (hit != null) {
                flags = f & ~DictFlags.TRY1NULL;
                return hit;
            }
        }
        return null;
    }

    /** Whether an update stores key and value with a trailing NUL; decides it when still open. */
    boolean appendOnWrite() {
        int f = flags;
        if (f == BOTH) flags = f = DictFlags.TRY1NULL;
        return (f & DictFlags.TRY1NULL) != 0;
    }

    /** {@code bytes} as written: with a NUL appended when {@code nul}. */
    static byte[] stored(byte[] bytes, boolean nul) {
        return nul ? java.util.Arrays.copyOf(bytes, bytes.length + 1) : bytes;
    }
}
