/**
 * LMDB (liblmdb) through FFM, for lmdb: tables: the library binding only, no table semantics.
 */
package org.proxymap.table.mdb;
