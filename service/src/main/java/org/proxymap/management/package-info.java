/**
 * The MXBeans over the running service and the remote JMX connector. It sees the server and
 * the table registry, and the daemon only through the ReloadControl interface the daemon hands
 * it; it must not import the daemon package.
 */
package org.proxymap.management;
