/**
 * The socket server: listeners, one thread per connection, the watchdog, and the typed request
 * core (Request, Reply, Op, RequestCodec, Dispatcher) that applies the allow-list and asks the
 * table registry. It knows tables through the table SPI only, and never the daemon or
 * management.
 */
package org.proxymap.server;
