package org.proxymap.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.DictFlags;

class TableRegistryTest {
    /** A type that opens tables the way {@code mask} says (counts nothing, holds nothing). */
    private static TableType type(String name, int mask) {
        return new TableType() {
            @Override public String name() { return name; }
            @Override public int openFlagsMask() { return mask; }
            @Override public LookupTable open(String n, OpenContext c) {
                return new LookupTable() {
                    @Override public int implFlags() { return DictFlags.FIXED; }
                    @Override public String lookup(String key) { return null; }
                };
            }
        };
    }

    @Test
    void clientChosenInstanceFlagsCannotMultiplyTableInstances() {
        try (TableRegistry r = new TableRegistry(Map.of("all", type("all", OpenFlags.LOAD_MASK),
                "rules", type("rules", DictFlags.NO_REGSUB), "none", type("none", 0)), n -> null)) {
            for (int flags = 0; flags < 5000; flags++) {
                for (String t : new String[] {"all:x", "rules:x", "none:x"}) r.acquire(t, false, flags * 7919).release();
            }
            for (String t : new String[] {"all:x", "rules:x", "none:x"}) r.acquire(t, false, -1).release();
            long all = r.handles().stream().filter(h -> h.type().equals("all")).count();
            assertTrue(all <= 1 << Integer.bitCount(OpenFlags.LOAD_MASK), all + " instances");
            assertTrue(all > 2, "the flags that change how a table opens do open their own instances");
            for (TableHandle h : r.handles()) assertEquals(0, h.instanceFlags() & ~OpenFlags.LOAD_MASK, h.fullName());
            assertEquals(2, r.handles().stream().filter(h -> h.type().equals("rules")).count(), "with and without no_regsub");
            assertEquals(1, r.handles().stream().filter(h -> h.type().equals("none")).count());
        }
    }

    @Test
    void instancesAreSharedExactlyWhereTheFlagsCannotChangeAnAnswer() {
        try (TableRegistry r = new TableRegistry(Map.of("rules", type("rules", DictFlags.NO_REGSUB),
                "texthash", type("texthash", OpenFlags.IN_MEMORY_MASK)), n -> null)) {
            TableHandle smtpd = r.acquire("rules:x", false, 540736);
            TableHandle postmap = r.acquire("rules:x", false, 540737);
            TableHandle transport = r.acquire("rules:x", false, 540736 | DictFlags.NO_REGSUB);
            TableHandle write = r.acquire("rules:x", true, 540736);
            assertSame(smtpd, postmap);
            assertNotSame(smtpd, transport);
            assertNotSame(smtpd, write);
            // texthash: dup_warn (postmap) decides what a duplicate key does, fold_fix (3.11+) the keys' case
            TableHandle thSmtpd = r.acquire("texthash:x", false, 540736);
            TableHandle thPostmap = r.acquire("texthash:x", false, 540737);
            TableHandle thB = r.acquire("texthash:x", false, 0);
            TableHandle thBTry = r.acquire("texthash:x", false, DictFlags.TRY0NULL);
            assertNotSame(thSmtpd, thPostmap);
            assertNotSame(thB, thPostmap);
            assertSame(thB, thBTry);
            for (TableHandle h : new TableHandle[] {smtpd, postmap, transport, write, thSmtpd, thPostmap, thB, thBTry}) h.release();
        }
    }
}
