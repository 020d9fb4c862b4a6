package org.proxymap.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.jmx.CheckReport;

/**
 * Checks a configuration directory without changing the running service: the
 * configuration loads, and (to come) every approved table opens and is usable.
 * Used by {@code proxymap check} and the JMX {@code check} operation.
 */
public final class ConfigChecker {
    private ConfigChecker() {}

    public static CheckReport check(Path configDirectory) {
        List<String> problems = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        try {
            ServiceConfig c = ServiceConfig.load(configDirectory);
            problems.addAll(c.warnings());
            tables.addAll(c.readMaps.tables());
            tables.addAll(c.writeMaps.tables());
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            return new CheckReport(false, problems, tables);
        }
        return new CheckReport(true, problems, tables);
    }
}
