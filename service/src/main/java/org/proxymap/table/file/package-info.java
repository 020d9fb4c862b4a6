/**
 * Indexed file tables built by postmap: cdb, lmdb, hash/btree (Berkeley DB) and texthash, re-
 * opened when the file changes.
 */
package org.proxymap.table.file;
