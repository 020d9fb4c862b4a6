package org.proxymap.table.simple;

import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableType;

/** {@code fail:name}: every operation fails with a temporary error (for tests, as Postfix's). */
public final class FailType implements TableType {
    @Override
    public String name() { return "fail"; }

    @Override
    public LookupTable open(String name, OpenContext context) {
        return new LookupTable() {
            @Override public int implFlags() { return DictFlags.PATTERN; }
            @Override public String lookup(String key) throws TableException {
                throw TableException.retry("fail:" + name + ": table lookup failed by design");
            }
        };
    }
}
