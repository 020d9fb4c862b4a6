package org.proxymap.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.simple.InternalType;

class TableRegistryTest {
    @Test
    void clientChosenInstanceFlagsCannotMultiplyTableInstances() {
        try (TableRegistry r = new TableRegistry(Map.of("internal", new InternalType()), n -> null)) {
            for (int flags = 0; flags < 5000; flags++) {
                r.acquire("internal:x", false, flags * 7919).release();
            }
            r.acquire("internal:x", false, -1).release();
            assertEquals(2, r.handles().size(), "one instance without no_regsub, one with it");
        }
    }

    @Test
    void smtpdAndPostmapFlagsShareOneInstanceButNoRegsubAndWriteModeDoNot() {
        try (TableRegistry r = new TableRegistry(Map.of("internal", new InternalType()), n -> null)) {
            TableHandle smtpd = r.acquire("internal:x", false, 540736);
            TableHandle postmap = r.acquire("internal:x", false, 540737);
            TableHandle transport = r.acquire("internal:x", false, 540736 | DictFlags.NO_REGSUB);
            TableHandle write = r.acquire("internal:x", true, 540736);
            assertSame(smtpd, postmap);
            assertNotSame(smtpd, transport);
            assertNotSame(smtpd, write);
            for (TableHandle h : new TableHandle[] {smtpd, postmap, transport, write}) h.release();
        }
    }
}
