package org.proxymap.server;

import org.proxymap.config.ServiceConfig;

/**
 * What the request path reads on every request: the configuration generation in force.
 * Replaced as a whole on reload, so a request sees one consistent generation.
 *
 * @param generation counts successful loads, starting at 1
 */
public record ServiceState(ServiceConfig config, long generation) {
}
