package org.proxymap.table.simple;

import java.util.Map;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableType;

/**
 * {@code internal:name}: an in-memory hash, empty at start and writable, living as long as
 * the process (Postfix's {@code internal} type). The writable table for proxywrite
 * update/delete/sequence until persistent types (lmdb) are available.
 */
public final class InternalType implements TableType {
    @Override
    public String name() { return "internal"; }

    /** One shared store: dict_ht folds (fold_fix) per request, on update as on lookup. */
    @Override
    public int openFlagsMask() { return 0; }

    @Override
    public LookupTable open(String name, OpenContext context) {
        return new MapTable(Map.of(), true);
    }
}
