package org.proxymap.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Opens tables lazily and shares one instance per table name, access mode and the instance
 * flags that change how that type opens a table ({@link TableType#openFlagsMask()}, see
 * {@link OpenFlags}) among all clients, as Postfix's {@code proxy_map_find()} does. A table that cannot be opened is served by a
 * surrogate that answers RETRY.
 */
public final class TableRegistry implements AutoCloseable {
    private static final Logger log = LogManager.getLogger("proxymap");

    private record Key(String name, boolean writable, int instanceFlags) {}

    private final Map<String, TableType> types;
    private final ConcurrentHashMap<Key, TableHandle> open = new ConcurrentHashMap<>();
    private final SharedResources resources = new SharedResources();
    private volatile Function<String, String> parameters;
    private volatile Runnable changed = () -> {};

    public TableRegistry(Function<String, String> parameters) {
        this(TableTypes.installed(), parameters);
    }

    public TableRegistry(Map<String, TableType> types, Function<String, String> parameters) {
        this.types = types;
        this.parameters = parameters;
    }

    /** The table types this build can open, e.g. for {@code check} and log hints. */
    public java.util.Set<String> typeNames() { return types.keySet(); }

    /** The implementation of {@code type}, or null when this build has none. */
    public TableType type(String type) { return types.get(type); }

    public SharedResources resources() { return resources; }

    /**
     * {@code listener} runs after a table instance or a shared resource opened or was retired
     * (management registers and removes their MXBeans); it runs on the thread that made the
     * change, holding no lock of the registry.
     */
    public void onChange(Runnable listener) {
        changed = listener;
        resources.onChange(listener);
    }

    /** The configuration that tables opened from now on see (after a reload). */
    public void parameters(Function<String, String> parameters) { this.parameters = parameters; }

    /**
     * Finds or opens {@code type:name} and counts one request in flight on it; the caller
     * must {@link TableHandle#release()} it when the reply is done.
     *
     * @param fullName an approved table name with a colon, without {@code proxy:}
     * @param clientInstanceFlags the client's instance flags ({@link OpenFlags#of}); only the
     *        type's {@link TableType#openFlagsMask()} of them select and open the instance
     */
    public TableHandle acquire(String fullName, boolean writable, int clientInstanceFlags) {
        TableName tn = TableName.parse(fullName);
        TableType tt = tn == null ? null : types.get(tn.type());
        int instanceFlags = tt == null ? 0 : clientInstanceFlags & tt.openFlagsMask();
        Key key = new Key(fullName, writable, instanceFlags);
        while (true) {
            TableHandle h = open.get(key);
            if (h == null) { // the first request for it: open, and tell management (outside the map's lock)
                boolean[] opened = {false};
                h = open.computeIfAbsent(key, k -> {
                    opened[0] = true;
                    return openHandle(fullName, writable, instanceFlags);
                });
                if (opened[0]) changed.run();
            }
            if (h.acquire()) return h;
            open.remove(key, h); // retired meanwhile: open a fresh one
        }
    }

    private TableHandle openHandle(String fullName, boolean writable, int instanceFlags) {
        TableName tn = TableName.parse(fullName);
        String type = tn.type();
        String name = tn.name();
        LookupTable table;
        TableType tt = types.get(type);
        if (tt == null) {
            table = surrogate(fullName, unsupported(type));
        } else {
            try {
                table = tt.open(name, new OpenContext(writable, instanceFlags, parameters, resources, types::get));
            } catch (TableOpenException e) {
                table = surrogate(fullName, e.getMessage());
            } catch (RuntimeException e) {
                table = surrogate(fullName, "open " + fullName + ": " + e);
            }
        }
        return new TableHandle(type, name, writable, instanceFlags, table);
    }

    /** Why {@code type} cannot be opened: Postfix's words, then what to do (for the log and for {@code check}). */
    public static String unsupported(String type) {
        return "unsupported dictionary type: " + type + switch (type) {
            case "dbm", "sdbm" ->
                    " (dbm files are not supported by this server; convert the table to lmdb:, cdb: or texthash:)";
            case "mongodb" -> " (mongodb: is not supported by this server: no MongoDB server can be run where it is built and"
                    + " tested, and it ships no untested client; serve the data through mysql:, pgsql: or ldap:, or leave"
                    + " mongodb: out of proxy_read_maps so that Postfix opens it itself)";
            default -> " (this build has no such table type; see README.md, Table types)";
        };
    }

    private static LookupTable surrogate(String fullName, String reason) {
        log.error(reason);
        return new SurrogateTable(fullName, reason);
    }

    /** Every open table instance. */
    public List<TableHandle> handles() { return new ArrayList<>(open.values()); }

    /**
     * Drops the instances that {@code stale} selects (their definition changed, or they are
     * no longer approved): new requests open them afresh, and each old instance is closed
     * when its in-flight requests have finished.
     */
    public void retire(Predicate<TableHandle> stale) {
        boolean any = false;
        for (Map.Entry<Key, TableHandle> e : open.entrySet()) {
            if (stale.test(e.getValue()) && open.remove(e.getKey(), e.getValue())) {
                e.getValue().retire();
                any = true;
            }
        }
        if (any) changed.run();
    }

    @Override
    public void close() {
        retire(h -> true);
        resources.close();
    }
}
