package org.proxymap.jmx;

/**
 * The outcome of one reload.
 *
 * @param ok             true when the new configuration is in force
 * @param message        "ok", or why the reload was refused (with file and line)
 * @param generation     the configuration generation in force afterwards
 * @param durationMillis how long parse, validation and swap took
 * @param timeMillis     when the reload finished (epoch milliseconds)
 */
public record ReloadResult(boolean ok, String message, long generation, long durationMillis, long timeMillis) {
}
