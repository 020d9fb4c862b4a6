package org.proxymap.table.simple;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;

/** An in-memory table: read-only contents of inline/texthash, or the writable {@code internal:} hash. */
public class MapTable implements LookupTable {
    protected final Map<String, String> map;
    private final boolean writable;

    public MapTable(Map<String, String> map, boolean writable) {
        this.map = writable ? new ConcurrentHashMap<>(map) : Map.copyOf(map);
        this.writable = writable;
    }

    @Override
    public int implFlags() { return DictFlags.FIXED; }

    @Override
    public String lookup(String key) { return map.get(key); }

    @Override
    public void update(String key, String value) throws org.proxymap.table.TableException {
        if (!writable) LookupTable.super.update(key, value);
        map.put(key, value);
    }

    @Override
    public boolean delete(String key) throws org.proxymap.table.TableException {
        if (!writable) return LookupTable.super.delete(key);
        return map.remove(key) != null;
    }

    @Override
    public Iterator<Map.Entry<String, String>> entries() {
        return Map.copyOf(map).entrySet().iterator();
    }
}
