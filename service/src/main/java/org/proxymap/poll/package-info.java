/**
 * How a connection's thread waits for the client's next request: {@link
 * org.proxymap.poll.BusyPoll}, busy polling for a few microseconds before blocking. A public
 * piece of its own because two servers use it: the service's connections and the benchmark's
 * null server (module {@code bench}), which must wait exactly as the service does to be a fair
 * baseline. Knows sockets only: no protocol, no tables, no configuration.
 */
package org.proxymap.poll;
