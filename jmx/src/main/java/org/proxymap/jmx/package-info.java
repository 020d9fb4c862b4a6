/**
 * The management contract: the MXBean interfaces, their records (open types) and object names
 * that the service implements and proxymapctl or JConsole read. It has no dependency at all,
 * so that a client never needs the service jar; it must not know the service's classes.
 */
package org.proxymap.jmx;
