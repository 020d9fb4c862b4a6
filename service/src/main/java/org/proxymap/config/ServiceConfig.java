package org.proxymap.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.CompositeConfiguration;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.convert.DisabledListDelimiterHandler;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * The effective configuration of one generation: Postfix's {@code main.cf} in the
 * configuration directory, the optional {@code proxymap.cf} beside it (its values win, for
 * this service only), and Postfix's built-in defaults underneath. Immutable once loaded;
 * a reload loads a new one and swaps it in.
 *
 * <p>The layers are one commons-configuration2 {@link CompositeConfiguration}, whose lookup
 * order is the override order: the first layer that sets a name wins. What of the library is
 * not used, and why:
 * <ul>
 * <li>its interpolation ({@code ${name}} through {@code ConfigurationInterpolator}, applied by
 *     {@code getString}): main.cf's {@code $name}, {@code ${name?value}}, {@code ${name:value}},
 *     relational forms, loop and nesting rules are Postfix's own, so values are read raw
 *     ({@code getProperty}) and expanded by {@link Expander};
 * <li>its list splitting: a main.cf value is one string (a disabled list delimiter handler);
 * <li>{@code CombinedConfiguration}: it copies every layer into a node tree (names become
 *     paths) when it combines them, which would compute the host-dependent defaults up front
 *     and gains nothing for main.cf's flat names;
 * <li>the file-based builders ({@code FileBasedConfigurationBuilder}): they create and fill the
 *     result through {@code BeanHelper}, which needs commons-beanutils, kept off the class path
 *     because nothing else needs it; the files are read by {@link MainCf#read} directly, so a
 *     missing main.cf and an unreadable one get their own messages.
 * </ul>
 */
public final class ServiceConfig {
    private static final MainCf DEFAULTS = loadDefaults("postfix-defaults.cf");
    /** What Postfix 3.11 changed in the defaults above (proxy_read_maps and what it names). */
    private static final MainCf DEFAULTS_3_11 = loadDefaults("postfix-defaults-3.11.cf");

    /** The names {@link HostDefaults} computes. */
    private static final java.util.Set<String> HOST_DEFAULTS = java.util.Set.of("myhostname", "mydomain", "mynetworks");

    private final Path configDirectory;
    private final MainCf mainCf;
    private final MainCf proxymapCf;
    /** proxymap.cf over main.cf: what the administrator set. */
    private final CompositeConfiguration files;
    /** Postfix 3.11's defaults, filled once the version followed is known (empty while it is read). */
    private final BaseConfiguration postfix311 = layer();
    /** files, then config_directory and our settings' defaults, the host's, 3.11's, Postfix's. */
    private final CompositeConfiguration layers;
    private final Map<String, String> expanded = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<Setting, Object> settings = new java.util.EnumMap<>(Setting.class);

    public final Path queueDirectory;
    public final String proxymapServiceName;
    public final String proxywriteServiceName;
    /** The Postfix version followed: its allow-list rules and proxy_read_maps default. */
    public final PostfixVersion postfixVersion;
    public final AllowList readMaps;
    public final AllowList writeMaps;
    public final boolean announceProtocol;
    public final Duration requestDeadline;
    public final Duration idleTimeout;
    public final int maxAttributes;
    public final int maxAttributeSize;
    public final int listenBacklog;
    public final int socketMode;
    public final int maxConnections;
    public final Duration shutdownGrace;
    public final boolean configAsRetry;
    public final int platformThreads;
    public final int busyPollMicros;
    /** Tables whose lookups are cached ({@code type:name}), each approved for reading or writing. */
    public final java.util.Set<String> cacheMaps;
    public final Duration cacheTtl;
    public final Duration cacheNegativeTtl;
    public final Duration cacheStaleTtl;
    public final int cacheMaxEntries;
    /** proxymap_sql_query_timeout: also how long a lookup waits for another's query of the same key. */
    public final Duration queryTimeout;

    private ServiceConfig(Path dir, MainCf mainCf, MainCf proxymapCf) throws ConfigException {
        this.configDirectory = dir;
        this.mainCf = mainCf;
        this.proxymapCf = proxymapCf;
        files = composite(List.of(proxymapCf, mainCf));
        BaseConfiguration own = layer();
        own.addProperty("config_directory", dir.toString());
        for (Setting st : Setting.values()) if (st.defaultValue() != null) own.addProperty(st.key(), st.defaultValue());
        layers = composite(List.of(files, own, new ComputedDefaults(HOST_DEFAULTS, this::hostDefault), postfix311, DEFAULTS));
        warnings.addAll(mainCf.warnings());
        warnings.addAll(proxymapCf.warnings());
        postfixVersion = version();
        if (postfixVersion.allowList311()) {
            DEFAULTS_3_11.getKeys().forEachRemaining(k -> postfix311.addProperty(k, DEFAULTS_3_11.getProperty(k)));
        }
        java.util.Set<String> referenced = referencedNames();
        for (String name : proxymapCf.names()) {
            if (Setting.byKey(name) == null && DEFAULTS.raw(name) == null && mainCf.raw(name) == null
                    && !referenced.contains(name)) {
                warnings.add(proxymapCf.where(name) + ": unknown parameter " + name
                        + " (possible spelling error); the settings are listed in README.md, section Settings");
            } else if (Setting.byKey(name) == null) {
                checkPostfixValue(name);
            }
        }
        queueDirectory = Path.of(required("queue_directory"));
        proxymapServiceName = required("proxymap_service_name");
        proxywriteServiceName = required("proxywrite_service_name");
        Function<String, String> classes = parameters();
        readMaps = AllowList.parse(value("proxy_read_maps"),
                new AllowList.Rules(postfixVersion.allowList311(), classes, w -> warnings.add("proxy_read_maps: " + w)));
        writeMaps = AllowList.parse(value("proxy_write_maps"),
                new AllowList.Rules(postfixVersion.allowList311(), null, w -> warnings.add("proxy_write_maps: " + w)));
        for (Setting st : Setting.values()) settings.put(st, typed(st));
        announceProtocol = get(Setting.PROTOCOL_ANNOUNCEMENT);
        requestDeadline = get(Setting.REQUEST_DEADLINE);
        idleTimeout = get(Setting.IDLE_TIMEOUT);
        maxAttributes = get(Setting.MAX_ATTRIBUTES);
        maxAttributeSize = get(Setting.MAX_ATTRIBUTE_SIZE);
        listenBacklog = get(Setting.LISTEN_BACKLOG);
        socketMode = get(Setting.SOCKET_MODE);
        maxConnections = get(Setting.MAX_CONNECTIONS);
        shutdownGrace = get(Setting.SHUTDOWN_GRACE);
        configAsRetry = get(Setting.CONFIG_AS_RETRY);
        platformThreads = get(Setting.PLATFORM_THREADS);
        busyPollMicros = get(Setting.BUSY_POLL_MICROSECONDS);
        cacheMaps = cacheMaps();
        cacheTtl = get(Setting.CACHE_TTL);
        cacheNegativeTtl = get(Setting.CACHE_NEGATIVE_TTL);
        cacheStaleTtl = get(Setting.CACHE_STALE_TTL);
        cacheMaxEntries = get(Setting.CACHE_MAX_ENTRIES);
        queryTimeout = get(Setting.SQL_QUERY_TIMEOUT);
    }

    /**
     * {@code proxymap_cache_maps}: every name must be one the service serves, so a misspelling
     * is an error here rather than a table silently left uncached.
     */
    private java.util.Set<String> cacheMaps() throws ConfigException {
        String key = Setting.CACHE_MAPS.key();
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String token : value(key).split("[\\s,]+")) {
            if (token.isEmpty()) continue;
            String name = AllowList.stripProxy(token);
            if (!readMaps.allows(name) && !writeMaps.allows(name)) {
                throw new ConfigException(where(key) + ": " + key + ": " + token
                        + " is not approved in proxy_read_maps or proxy_write_maps; list a table the service serves,"
                        + " as type:name exactly as it follows proxy: there");
            }
            out.add(name);
        }
        return java.util.Set.copyOf(out);
    }

    /** Names used as $name in either file: user-defined parameters, as postconf counts them. */
    private java.util.Set<String> referencedNames() {
        java.util.Set<String> out = new java.util.HashSet<>();
        java.util.regex.Pattern ref = java.util.regex.Pattern.compile("\\$[{(]?\\s*([A-Za-z0-9_]+)");
        for (MainCf cf : List.of(mainCf, proxymapCf)) {
            for (String n : cf.names()) {
                java.util.regex.Matcher m = ref.matcher(cf.raw(n));
                while (m.find()) out.add(m.group(1));
            }
        }
        return out;
    }

    /** Loads {@code dir/main.cf} (required) and {@code dir/proxymap.cf} (optional). */
    public static ServiceConfig load(Path dir) throws ConfigException {
        Path abs = dir.toAbsolutePath().normalize();
        MainCf main = read(abs.resolve("main.cf"), true);
        MainCf own = read(abs.resolve("proxymap.cf"), false);
        return new ServiceConfig(abs, main, own);
    }

    private static MainCf read(Path file, boolean required) throws ConfigException {
        MainCf cf = new MainCf().fileName(file.toString());
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            cf.read(r);
        } catch (NoSuchFileException e) {
            if (required) {
                throw new ConfigException(file + ": No such file or directory; -c names Postfix's configuration directory, the one that holds main.cf");
            }
        } catch (IOException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        } catch (ConfigurationException e) {
            throw new ConfigException(e.getMessage());
        }
        return cf;
    }

    /** {@code proxymap_postfix_version}: a version, or auto (the installed Postfix's, else 3.7). */
    private PostfixVersion version() throws ConfigException {
        String v = value(Setting.POSTFIX_VERSION.key());
        if (v == null || v.isBlank() || v.strip().equals("auto")) {
            PostfixVersion.Detection d = PostfixVersion.detect();
            if (d.problem() != null) warnings.add(d.problem());
            return d.version();
        }
        PostfixVersion parsed = PostfixVersion.parse(v);
        if (parsed == null) {
            throw new ConfigException(where(Setting.POSTFIX_VERSION.key()) + ": " + Setting.POSTFIX_VERSION.key() + " = " + v
                    + ": not a Postfix version; write e.g. 3.7, 3.11.6 or auto");
        }
        return parsed;
    }

    private static MainCf loadDefaults(String resource) {
        MainCf cf = new MainCf().fileName(resource);
        try (InputStream in = ServiceConfig.class.getResourceAsStream(resource)) {
            cf.read(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
        } catch (IOException | ConfigurationException e) {
            throw new IllegalStateException("built-in Postfix defaults unreadable", e);
        }
        return cf;
    }

    /** Layers in override order, each a main.cf value per name: one string, raw. */
    private static CompositeConfiguration composite(List<? extends Configuration> layers) {
        CompositeConfiguration c = new CompositeConfiguration(layers);
        c.setListDelimiterHandler(DisabledListDelimiterHandler.INSTANCE);
        return c;
    }

    private static BaseConfiguration layer() {
        BaseConfiguration c = new BaseConfiguration();
        c.setListDelimiterHandler(DisabledListDelimiterHandler.INSTANCE);
        return c;
    }

    private static String text(Object v) { return v == null ? null : v.toString(); }

    /** The unexpanded value: proxymap.cf, then main.cf, then our and Postfix's defaults. */
    public String raw(String name) { return text(layers.getProperty(name)); }

    private String configured(String name) { return text(files.getProperty(name)); }

    /** The defaults that depend on this machine, computed as Postfix does (see {@link HostDefaults}). */
    private String hostDefault(String name) {
        try {
            return switch (name) {
                case "myhostname" -> HostDefaults.myhostname(configured("mydomain") != null);
                case "mydomain" -> HostDefaults.mydomain(configured("myhostname") != null
                        ? value("myhostname") : HostDefaults.myhostname(false));
                case "mynetworks" -> HostDefaults.mynetworks(value("mynetworks_style"), value("inet_protocols"));
                default -> null;
            };
        } catch (ConfigException e) {
            return null; // the loop or syntax error is reported where the parameter is used
        }
    }

    /** Postfix parameters whose built-in default is a number but which take other values too. */
    private static final java.util.Set<String> NOT_NUMERIC = java.util.Set.of("compatibility_level", "process_id");

    /**
     * A Postfix parameter set in proxymap.cf must have the syntax Postfix's own daemons would
     * accept, judged by the shape of its built-in default: a time with a unit (conv_time),
     * a whole number, or yes/no.
     */
    private void checkPostfixValue(String name) throws ConfigException {
        String def = DEFAULTS.raw(name);
        if (def == null || NOT_NUMERIC.contains(name) || name.endsWith("_port")) return;
        String v = value(name);
        try {
            if (def.matches("[0-9]+[smhdw]")) Values.time(v, def.charAt(def.length() - 1));
            else if (def.matches("[0-9]+")) Values.longInteger(v, Long.MIN_VALUE);
            else if (def.equals("yes") || def.equals("no")) Values.bool(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where(name) + ": " + name + " = " + v + ": " + e.getMessage()
                    + " (Postfix's default is " + def + ")");
        }
    }

    /** Postfix's parameters this service reads, then its own settings: what {@code config} shows. */
    public static java.util.List<String> usedParameters() {
        java.util.List<String> l = new ArrayList<>(java.util.List.of("config_directory", "queue_directory",
                "proxymap_service_name", "proxywrite_service_name", "proxy_read_maps", "proxy_write_maps"));
        for (Setting st : Setting.values()) l.add(st.key());
        return l;
    }

    /** True when {@code name} has a value here: set in a file, a setting, or a Postfix parameter. */
    public boolean known(String name) { return raw(name) != null; }

    /** Where {@code name} is set, {@code file, line N}, or "default". */
    public String where(String name) {
        for (int i = 0; i < files.getNumberOfConfigurations(); i++) {
            if (files.getConfiguration(i) instanceof MainCf cf && cf.raw(name) != null) return cf.where(name);
        }
        return "default";
    }

    /** The expanded value of {@code name}, or null when nothing sets it. */
    public String value(String name) throws ConfigException {
        String v = expanded.get(name);
        if (v != null) return v;
        try {
            v = new Expander(this::raw).value(name);
        } catch (ConfigException.InParameter e) {
            String in = e.parameter();
            throw new ConfigException(where(in) + ": " + in + ": " + e.getMessage()
                    + (in.equals(name) ? "" : " (expanding " + name + ")"));
        } catch (ConfigException e) {
            throw new ConfigException(where(name) + ": " + name + ": " + e.getMessage());
        }
        if (v != null) expanded.put(name, v);
        return v;
    }

    /** Expanded values for tables; an expansion error reads as unset (check reports it). */
    public Function<String, String> parameters() {
        return name -> {
            try {
                return value(name);
            } catch (ConfigException e) {
                return null;
            }
        };
    }

    private String required(String name) throws ConfigException {
        String v = value(name);
        if (v == null || v.isEmpty()) throw new ConfigException(where(name) + ": parameter " + name + " must not be empty");
        return v;
    }

    private Object typed(Setting s) throws ConfigException {
        String v = value(s.key());
        try {
            return s.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where(s.key()) + ": " + s.key() + " = " + v + ": " + e.getMessage());
        }
    }

    /** The value of setting {@code s}, parsed at load, in the type its parser gives. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting s) { return (T) settings.get(s); }

    public Path configDirectory() { return configDirectory; }

    /** Non-fatal findings (unknown names), each with file and line. */
    public List<String> warnings() { return warnings; }

    /** Every parameter either file sets, for {@code config}. */
    public Map<String, String> explicitNames() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : mainCf.names()) m.put(n, mainCf.where(n));
        for (String n : proxymapCf.names()) m.put(n, proxymapCf.where(n));
        return m;
    }

    public Path socketPath(boolean write) {
        return queueDirectory.resolve("private").resolve(write ? proxywriteServiceName : proxymapServiceName);
    }
}
