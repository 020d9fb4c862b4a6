/**
 * Tables answered by another server over a socket: socketmap (netstrings) and tcp
 * (tcp_table(5)), with shared connections.
 */
package org.proxymap.table.socket;
