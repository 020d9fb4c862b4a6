package org.proxymap.table;

/**
 * A table as Postfix names it, {@code type:name}: the one place that splits it (at the first
 * colon, as {@code dict_open()} does; the name may hold more colons).
 */
public record TableName(String type, String name) {
    /** {@code type:name} split, or null when there is no colon (the type may be empty: {@code :x}). */
    public static TableName parse(String fullName) {
        int colon = fullName.indexOf(':');
        return colon < 0 ? null : new TableName(fullName.substring(0, colon), fullName.substring(colon + 1));
    }

    @Override
    public String toString() { return type + ":" + name; }
}
