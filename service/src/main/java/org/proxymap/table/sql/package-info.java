/**
 * SQL tables: mysql (pooled JDBC connections, failover, the global connection budget), sqlite
 * (FFM), their .cf parser and query templates.
 */
package org.proxymap.table.sql;
