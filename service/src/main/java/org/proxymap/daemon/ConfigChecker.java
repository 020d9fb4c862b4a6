package org.proxymap.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.proxymap.config.AllowList;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.jmx.CheckReport;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableName;
import org.proxymap.table.TableRegistry;
import org.proxymap.table.TableType;

/**
 * Checks a configuration directory without changing the running service (like
 * {@code postfix check} / {@code nginx -t}): the configuration loads (syntax, expansion,
 * every setting's value), and every approved table's definition checks
 * and opens ({@link TableType#probe}; database tables connect to their server),
 * using resources of its own that are closed afterwards. Used by {@code proxymap check} and
 * the JMX {@code check} operation.
 *
 * <p>Each problem is one line with file:line and a hint. Lines that start with
 * {@code warning:} do not make the configuration unusable; every other line does.
 */
public final class ConfigChecker {
    public static final String WARNING = "warning: ";

    private ConfigChecker() {}

    public static CheckReport check(Path configDirectory) {
        return check(configDirectory, new TableRegistry(name -> null));
    }

    /** @param types where the table types come from (the running service's registry, or a fresh one) */
    public static CheckReport check(Path configDirectory, TableRegistry types) {
        List<String> problems = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        ServiceConfig c;
        try {
            c = ServiceConfig.load(configDirectory);
        } catch (ConfigException e) {
            problems.add(e.getMessage());
            return new CheckReport(false, problems, tables);
        }
        c.warnings().forEach(w -> problems.add(WARNING + w));
        boolean ok = true;
        try (SharedResources resources = new SharedResources()) {
            List<String> errors = new ArrayList<>();
            Reloader.forEachApproved(c, (fullName, writable) -> {
                tables.add(fullName);
                String where = whereNamed(c, fullName);
                TableName tn = TableName.parse(fullName);
                TableType type = types.type(tn.type());
                if (type == null) {
                    errors.add(where + ": proxy:" + fullName + ": " + TableRegistry.unsupported(tn.type()));
                    return;
                }
                OpenContext ctx = new OpenContext(writable, 0, c.parameters(), resources, types::type);
                try {
                    for (String p : type.probe(tn.name(), ctx)) {
                        errors.add(where + ": proxy:" + fullName + ": " + p);
                    }
                } catch (RuntimeException e) {
                    errors.add(where + ": proxy:" + fullName + ": " + e);
                }
            });
            ok = errors.isEmpty();
            problems.addAll(errors);
        }
        return new CheckReport(ok, problems, tables);
    }

    /** The file:line of the parameter that names {@code proxy:fullName}, for messages. */
    private static String whereNamed(ServiceConfig c, String fullName) {
        String list = null;
        for (Map.Entry<String, String> e : c.explicitNames().entrySet()) {
            try {
                String v = c.value(e.getKey());
                if (v == null || !AllowList.parse(v).allows(fullName)) continue;
                if (!e.getKey().startsWith("proxy_")) return e.getValue(); // e.g. virtual_alias_maps
                if (list == null) list = e.getValue();
            } catch (ConfigException ignored) {
                // reported by load() already when it matters
            }
        }
        if (list != null) return list;
        // named by a Postfix default: say which parameter's default, e.g. local_recipient_maps
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$[{(]?([A-Za-z0-9_]+)")
                .matcher(c.raw("proxy_read_maps") + " " + c.raw("proxy_write_maps"));
        while (m.find()) {
            try {
                String v = c.value(m.group(1));
                if (v != null && AllowList.parse(v).allows(fullName)) return "default " + m.group(1) + " = " + c.raw(m.group(1));
            } catch (ConfigException ignored) {
                // reported by load() already when it matters
            }
        }
        return c.where("proxy_read_maps");
    }
}
