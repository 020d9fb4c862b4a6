package org.proxymap.server;

import org.proxymap.poll.BusyPoll;

/** The connection-level settings a new connection starts with. */
record ServiceStateView(boolean announce, int maxAttributes, int maxAttributeSize, BusyPoll busyPoll) {
}
