/**
 * The result cache in front of the tables named in {@code proxymap_cache_maps}: found and
 * not-found answers kept per table instance for their TTLs, concurrent lookups of one key
 * coalesced into one backend lookup, and expired answers served while the table answers
 * RETRY. It knows tables and settings; it must not know who asks (server, management).
 */
package org.proxymap.cache;
