/**
 * Berkeley DB (libdb) through FFM, for hash: and btree: tables: the library binding only, no
 * table semantics.
 */
package org.proxymap.table.db;
