package org.proxymap.table;

/**
 * An open table whose server {@code check} mode reaches: {@link TableType#probe} calls it
 * after opening (a database query, an LDAP bind and search), since opening alone contacts
 * nothing, as in Postfix.
 */
public interface ServerCheck {
    /** One round trip to the table's server; throws with the reason when it is unusable. */
    void check() throws TableException;
}
