package org.proxymap.table;

/**
 * One table type ({@code texthash}, {@code mysql}, ...). Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/org.proxymap.table.TableType}.
 */
public interface TableType {

    /** The type as written before the first colon, e.g. {@code "texthash"}. */
    String name();

    /**
     * Opens {@code name} (the part after {@code type:}).
     *
     * @throws TableOpenException when the table cannot be used; the registry then serves a
     *         surrogate that answers RETRY, as Postfix does
     */
    LookupTable open(String name, OpenContext context) throws TableOpenException;
}
