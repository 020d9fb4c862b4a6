package org.proxymap.table.simple;

import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableType;

/** {@code static:value} and {@code static:{ value with spaces }}: every key maps to the value. */
public final class StaticType implements TableType {
    @Override
    public String name() { return "static"; }

    /** Nothing is read under the client's flags at open; folding is per request. */
    @Override
    public int openFlagsMask() { return 0; }

    @Override
    public LookupTable open(String name, OpenContext context) {
        String value = name.startsWith("{") && name.endsWith("}")
                ? name.substring(1, name.length() - 1).strip() : name;
        return new LookupTable() {
            @Override public int implFlags() { return DictFlags.FIXED; }
            @Override public String lookup(String key) { return value; }
        };
    }
}
