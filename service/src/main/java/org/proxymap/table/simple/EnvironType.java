package org.proxymap.table.simple;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.proxymap.config.Tokens;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableType;

/**
 * {@code environ:} (dict_env.c): the process environment as a Postfix daemon sees it. Postfix
 * programs start with a cleaned environment: only the names in {@code import_environment}
 * survive, and {@code NAME=value} entries set a value (the default gives {@code LANG=C}).
 * This JVM's own environment is filtered the same way, so the answers match proxymap's.
 * An update through proxywrite sets a variable for this process only, as setenv() does;
 * a JVM cannot change its environment, so updates live in an overlay.
 */
public final class EnvironType implements TableType {
    static final String DEFAULT_IMPORT =
            "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME";
    private static final Map<String, String> OVERLAY = new ConcurrentHashMap<>();

    @Override
    public String name() { return "environ"; }

    /** Nothing is read under the client's flags at open; folding is per request. */
    @Override
    public int openFlagsMask() { return 0; }

    /** The environment after Postfix's clean_env(import_environment). */
    static Map<String, String> imported(String importEnvironment, Map<String, String> processEnv) {
        Map<String, String> env = new HashMap<>();
        for (String item : Tokens.split(importEnvironment == null ? DEFAULT_IMPORT : importEnvironment)) {
            int eq = item.indexOf('=');
            if (eq > 0) env.put(item.substring(0, eq), item.substring(eq + 1));
            else if (processEnv.get(item) != null) env.put(item, processEnv.get(item));
        }
        return env;
    }

    @Override
    public LookupTable open(String name, OpenContext context) {
        var params = context.parameters() == null ? (java.util.function.Function<String, String>) k -> null
                : context.parameters();
        Map<String, String> processEnv = new HashMap<>(System.getenv());
        // Postfix's master exports MAIL_CONFIG to its daemons: the configuration directory
        if (params.apply("config_directory") != null) processEnv.putIfAbsent("MAIL_CONFIG", params.apply("config_directory"));
        Map<String, String> env = imported(params.apply("import_environment"), processEnv);
        return new LookupTable() {
            @Override
            public int implFlags() { return DictFlags.FIXED; }

            @Override
            public String lookup(String key) {
                String v = OVERLAY.get(key);
                return v != null ? v : env.get(key);
            }

            @Override
            public void update(String key, String value) { OVERLAY.put(key, value); }
        };
    }
}
