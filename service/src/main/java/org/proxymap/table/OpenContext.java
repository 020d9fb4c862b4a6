package org.proxymap.table;

import java.util.function.Function;

/**
 * What a table may know when it opens: whether it is opened for writing (proxywrite),
 * the client's instance flags, and read access to the service configuration
 * (e.g. a pool cap for SQL tables, {@code $name} values for legacy mysql tables).
 *
 * @param writable   opened through the proxywrite service
 * @param instanceFlags the client's instance flags ({@code instance_flags}, or
 *                   {@code flags & INST_MASK} in dialects A and B), reduced to the type's
 *                   {@link TableType#openFlagsMask()}; read them through {@link #flags()}
 * @param parameters the effective configuration, name to expanded value (null when unset)
 * @param resources  shared, reference-counted resources (database pools) of this process
 */
public record OpenContext(boolean writable, int instanceFlags, Function<String, String> parameters,
                          SharedResources resources) {

    /** What the instance flags ask of the table: folding, duplicates, NUL forms, no_regsub. */
    public OpenFlags flags() { return new OpenFlags(instanceFlags); }
}
