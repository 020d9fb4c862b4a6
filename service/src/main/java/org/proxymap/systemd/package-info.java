/**
 * sd_notify(3) for the systemd unit (READY, STATUS, WATCHDOG, STOPPING), through FFM. It knows
 * nothing of the service.
 */
package org.proxymap.systemd;
