/**
 * ldap: tables (ldap_table(5)) with pooled connections, failover and TLS.
 */
package org.proxymap.table.ldap;
