/**
 * The composition root: the jsvc and foreground daemon, the command line (check, config),
 * reloads and the configuration check. It wires config, tables, server and management
 * together; nothing else may depend on it.
 */
package org.proxymap.daemon;
