package org.proxymap.table.simple;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableType;

/**
 * {@code environ:} (dict_env.c): the process environment. An update through proxywrite
 * sets the variable for this process only, as setenv() does in Postfix; since a JVM cannot
 * change its own environment, updates live in an overlay shared by every environ: table.
 */
public final class EnvironType implements TableType {
    private static final Map<String, String> OVERLAY = new ConcurrentHashMap<>();

    @Override
    public String name() { return "environ"; }

    @Override
    public LookupTable open(String name, OpenContext context) {
        return new LookupTable() {
            @Override
            public int implFlags() { return DictFlags.FIXED; }

            @Override
            public String lookup(String key) {
                String v = OVERLAY.get(key);
                return v != null ? v : System.getenv(key);
            }

            @Override
            public void update(String key, String value) { OVERLAY.put(key, value); }
        };
    }
}
