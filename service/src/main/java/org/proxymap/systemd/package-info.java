/**
 * systemd's side of the unit: sd_notify(3) (READY, STATUS, WATCHDOG, STOPPING) and sd_listen_fds(3)
 * (sockets a socket unit passes), through FFM. It knows nothing of the service.
 */
package org.proxymap.systemd;
