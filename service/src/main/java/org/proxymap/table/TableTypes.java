package org.proxymap.table;

import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The table types this build has: every {@link TableType} listed in
 * {@code META-INF/services/org.proxymap.table.TableType}, found once with {@link
 * ServiceLoader} (the only use of it). Registries, nested tables and tools all ask here, or
 * are handed a map of their own (tests).
 */
public final class TableTypes {
    private TableTypes() {}

    private static final class Installed {
        static final Map<String, TableType> ALL = load();

        private static Map<String, TableType> load() {
            Map<String, TableType> m = new HashMap<>();
            for (TableType t : ServiceLoader.load(TableType.class)) m.put(t.name(), t);
            return Map.copyOf(m);
        }
    }

    /** Type name to implementation, unmodifiable. */
    public static Map<String, TableType> installed() { return Installed.ALL; }
}
