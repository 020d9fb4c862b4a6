package org.proxymap.config;

/** A configuration problem, with the file and line where it is, and how to fix it. */
public final class ConfigException extends Exception {
    public ConfigException(String message) { super(message); }
}
