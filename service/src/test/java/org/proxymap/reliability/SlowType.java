package org.proxymap.reliability;

import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableType;

/**
 * Test-only table type {@code slow:MILLIS}: every lookup takes MILLIS and answers
 * {@code slow-<key>}, so that a test can hold requests in flight (registered through the
 * test classpath's META-INF/services; never in the product).
 */
public final class SlowType implements TableType {
    @Override
    public String name() { return "slow"; }

    @Override
    public LookupTable open(String name, OpenContext context) {
        long millis = Long.parseLong(name);
        return new LookupTable() {
            @Override public int implFlags() { return DictFlags.FIXED; }

            @Override
            public String lookup(String key) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "slow-" + key;
            }
        };
    }
}
