package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CopyBudgetTest {
    @Test
    void reservesUpToItsLimitAndTakesNothingWhenRefusing() {
        CopyBudget b = new CopyBudget(100);
        assertTrue(b.reserve(60));
        assertFalse(b.reserve(41));
        assertEquals(60, b.reserved());
        assertTrue(b.reserve(40));
        b.release(60);
        assertEquals(40, b.reserved());
        assertEquals(2 * 1234, CopyBudget.forFile(1234));
    }

    @Test
    void concurrentReservationsNeverExceedTheLimit() throws Exception {
        CopyBudget b = new CopyBudget(1000);
        AtomicInteger granted = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (b.reserve(7)) {
                        granted.incrementAndGet();
                        if (b.reserved() > 1000) throw new AssertionError("over the limit: " + b.reserved());
                        b.release(7);
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(0, b.reserved());
        assertTrue(granted.get() > 0);
    }
}
