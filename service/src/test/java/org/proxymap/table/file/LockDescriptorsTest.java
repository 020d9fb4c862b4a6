package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-call lock descriptors: reused, capped between calls, renewed with the file, gone at close. */
class LockDescriptorsTest {
    @TempDir
    Path dir;

    @Test
    void reusedCappedRenewedAndClosed() throws Exception {
        Path f = Files.writeString(dir.resolve("t.db"), "x");
        LockDescriptors d = new LockDescriptors(f);
        LockDescriptors.Entry a = d.take();
        d.give(a);
        assertSame(a, d.take(), "an idle descriptor is reused");
        List<LockDescriptors.Entry> many = new ArrayList<>(List.of(a));
        for (int i = 1; i < LockDescriptors.MAX + 4; i++) many.add(d.take()); // more callers than MAX at once
        assertEquals(LockDescriptors.MAX + 4, d.open());
        many.forEach(d::give);
        assertEquals(LockDescriptors.MAX, d.open(), "at most MAX stay open between calls");
        LockDescriptors.Entry old = d.take();
        d.renew();
        assertEquals(1, d.open(), "idle descriptors of the old file are closed at once");
        d.give(old);
        assertEquals(0, d.open(), "one in use is closed when it comes back");
        LockDescriptors.Entry fresh = d.take();
        assertNotEquals(old.generation(), fresh.generation());
        d.give(fresh);
        d.close();
        assertEquals(0, d.open());
        Files.delete(f);
        assertNull(new LockDescriptors(f).take(), "a removed file has no descriptor");
    }
}
