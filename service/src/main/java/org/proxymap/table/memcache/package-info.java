/**
 * memcache: tables (memcache_table(5)): the memcached text protocol, with an optional backup
 * table.
 */
package org.proxymap.table.memcache;
