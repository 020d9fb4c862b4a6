package org.proxymap.table;

import java.util.function.Function;
import org.proxymap.config.AllowList;

/**
 * What a table may know when it opens: whether it is opened for writing (proxywrite),
 * the client's instance flags, read access to the service configuration
 * (e.g. a pool cap for SQL tables, {@code $name} values for legacy mysql tables), and the
 * table types, so that a table made of other tables (unionmap, memcache's backup) can open them.
 *
 * @param writable   opened through the proxywrite service
 * @param instanceFlags the client's instance flags ({@code instance_flags}, or
 *                   {@code flags & INST_MASK} in dialects A and B), reduced to the type's
 *                   {@link TableType#openFlagsMask()}; read them through {@link #flags()}
 * @param parameters the effective configuration, name to expanded value (null when unset)
 * @param resources  shared, reference-counted resources (database pools) of this process
 * @param types      table type name to implementation (null when this build has none)
 */
public record OpenContext(boolean writable, int instanceFlags, Function<String, String> parameters,
                          SharedResources resources, Function<String, TableType> types) {

    /** What the instance flags ask of the table: folding, duplicates, NUL forms, no_regsub. */
    public OpenFlags flags() { return new OpenFlags(instanceFlags); }

    /** A context with the table types this build has ({@link TableTypes#installed()}). */
    public OpenContext(boolean writable, int instanceFlags, Function<String, String> parameters,
                       SharedResources resources) {
        this(writable, instanceFlags, parameters, resources, TableTypes.installed()::get);
    }

    /**
     * Opens a table named inside another table's definition, {@code type:name}, with this
     * context. Leading {@code proxy:} prefixes are dropped, as inside Postfix's proxymap
     * ({@code dict_proxy_open()}): the member is opened here, never through proxymap again.
     * The caller closes the table.
     */
    public LookupTable openTable(String fullName) throws TableOpenException {
        TableName table = TableName.parse(AllowList.stripProxy(fullName));
        if (table == null || table.type().isEmpty()) throw new TableOpenException("bad table name \"" + fullName + "\": need type:name");
        TableType type = types.apply(table.type());
        if (type == null) throw new TableOpenException("unsupported dictionary type: " + table.type());
        return type.open(table.name(), this);
    }

    /** The implementation of the type of {@code fullName} ({@code proxy:} dropped), or null. */
    public TableType typeOf(String fullName) {
        TableName table = TableName.parse(AllowList.stripProxy(fullName));
        return table == null || table.type().isEmpty() ? null : types.apply(table.type());
    }

    /** The part of {@code fullName} after its type ({@code proxy:} dropped), or "" without one. */
    public static String nameOf(String fullName) {
        TableName table = TableName.parse(AllowList.stripProxy(fullName));
        return table == null ? "" : table.name();
    }
}
