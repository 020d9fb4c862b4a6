/**
 * proxymapctl: the command-line JMX client (status, tables, lookup, reload, check) with its
 * small readers of the connection settings and its JSON output. It talks to the service only
 * through the contract in org.proxymap.jmx.
 */
package org.proxymap.jmx.ctl;
