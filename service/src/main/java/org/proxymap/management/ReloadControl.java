package org.proxymap.management;

import org.proxymap.jmx.CheckReport;
import org.proxymap.jmx.ReloadResult;

/**
 * What the reload MXBean may ask of the daemon: the daemon's reloader implements it and hands
 * it to {@link Management}, so that management knows no daemon class.
 */
public interface ReloadControl {
    /** Parses, validates and swaps in the configuration; a refused reload changes nothing. */
    ReloadResult reload();

    /** The most recent reload, or null before the first one. */
    ReloadResult last();

    long succeeded();

    long refused();

    /** {@code proxymap check} of the configuration directory in use, without changing anything. */
    CheckReport check();
}
