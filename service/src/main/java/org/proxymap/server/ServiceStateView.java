package org.proxymap.server;

/** The connection-level settings a new connection starts with. */
record ServiceStateView(boolean announce, int maxAttributes, int maxAttributeSize, BusyPoll busyPoll) {
}
