package org.proxymap.config;

import java.util.function.Function;

/**
 * The service's own settings, read from {@code proxymap.cf} (main.cf syntax). Every one has
 * a default, so a stock Postfix installation needs no proxymap.cf. This list is the single
 * source of each setting's name, default, syntax and meaning: {@link ServiceConfig} parses
 * every one at load (a bad value is refused with file and line), and {@code
 * SettingsDocumentedTest} holds the README table and the daemon's manual page to it.
 *
 * <p>To add a setting, add one constant: {@code NAME("proxymap_name", "default", parser,
 * "meaning, as the README table's row says it")}, with a parser from {@link Values} (or none:
 * free text), then the README row the test asks for. Read it with {@link
 * ServiceConfig#get(Setting)}, or from a table with {@link #value(Function)}.
 */
public enum Setting {
    PROTOCOL_ANNOUNCEMENT("proxymap_protocol_announcement", "yes", Values::bool,
            "Send the protocol announcement on connect (Postfix 3.6+); `no` only for 3.5 and older clients"),
    REQUEST_DEADLINE("proxymap_request_deadline", "1s", v -> Values.time(v, 's'),
            "Time for a request to arrive once its first byte has, and for the reply to be written"),
    IDLE_TIMEOUT("proxymap_idle_timeout", "3600s", v -> Values.time(v, 's'),
            "Close a connection that sends nothing for this long"),
    MAX_ATTRIBUTES("proxymap_max_attributes", "64", v -> Values.integer(v, 8),
            "Attributes in one request"),
    // header_checks keys are whole headers of up to Postfix's header_size_limit (102400)
    MAX_ATTRIBUTE_SIZE("proxymap_max_attribute_size", "131072", v -> Values.integer(v, 1024),
            "Bytes in one attribute name or value; keep it above Postfix's `header_size_limit` (header_checks keys are whole headers)"),
    LISTEN_BACKLOG("proxymap_listen_backlog", "4096", v -> Values.integer(v, 1),
            "Listen backlog of each socket"),
    SOCKET_MODE("proxymap_socket_mode", "0666", Values::octal,
            "Permissions of the socket files"),
    MAX_CONNECTIONS("proxymap_max_connections", "10000", v -> Values.integer(v, 1),
            "Connections served at once"),
    SHUTDOWN_GRACE("proxymap_shutdown_grace", "10s", v -> Values.time(v, 's'),
            "On stop, time for requests in flight"),
    CONFIG_AS_RETRY("proxymap_config_status_as_retry", "no", Values::bool,
            "Answer CONFIG as RETRY (Postfix 2.x clients)"),
    SQL_MAX_CONNECTIONS("proxymap_sql_max_connections", "100", v -> Values.integer(v, 1),
            "Database connections open at once, all SQL tables and pools together"),
    SQL_POOL_MAX_CONNECTIONS("proxymap_sql_pool_max_connections", "20", v -> Values.integer(v, 1),
            "Connections of one pool (one host, user and database, shared by every table using it)"),
    LDAP_SEARCHES_PER_CONNECTION("proxymap_ldap_searches_per_connection", "32", v -> Values.integer(v, 1),
            "Searches one ldap connection carries at once before the next connection of its pool opens (1: one search per connection)"),
    SQL_CONNECT_TIMEOUT("proxymap_sql_connect_timeout", "2s", v -> Values.time(v, 's'),
            "Time to connect to (or check) a database server before the next host or RETRY"),
    SQL_QUERY_TIMEOUT("proxymap_sql_query_timeout", "5s", v -> Values.time(v, 's'),
            "Time for one query, and for a free connection; slower lookups answer RETRY"),
    PGSQL_DEFAULT_ENCODING("proxymap_pgsql_default_encoding", "LATIN1",
            "Client encoding of pgsql tables whose .cf sets no `encoding`: LATIN1 as Postfix 3.7 (Debian 12) hard-codes it; UTF8 for Postfix 3.8+ (see pgsql tables)"),
    JMX_PORT("proxymap_jmx_port", "0", v -> Values.port(v, "remote JMX"),
            "Remote JMX port (registry and RMI share it); 0 keeps remote JMX off. Read at start only"),
    JMX_ADDRESS("proxymap_jmx_address", "127.0.0.1", v -> Values.nonEmpty(v, "use 127.0.0.1 (the default) for local access only"),
            "Address the JMX connector listens on"),
    JMX_PASSWORD_FILE("proxymap_jmx_password_file", "${config_directory}/proxymap-jmx.password", Values::path,
            "JMX users, `user password` per line, mode 0600"),
    JMX_ACCESS_FILE("proxymap_jmx_access_file", "${config_directory}/proxymap-jmx.access", Values::path,
            "JMX roles, `user readonly`, `user readwrite` or `user jvm-admin` per line, mode 0644 at most"),
    JMX_TLS_KEYSTORE("proxymap_jmx_tls_keystore", "",
            "PKCS12 key store with the JMX connector's private key and certificate: registry and connector then speak TLS only (required when proxymap_jmx_address is not a loopback address). Empty: no TLS."),
    JMX_TLS_KEYSTORE_PASSWORD_FILE("proxymap_jmx_tls_keystore_password_file", "",
            "File holding the key store's password alone on one line, mode 0600 (the password never goes into proxymap.cf)."),
    JMX_TLS_CLIENT_TRUSTSTORE("proxymap_jmx_tls_client_truststore", "",
            "The certificates (or CAs) whose JMX clients may connect, a PEM file (or a PKCS12 store without password): when set, a client must also present a certificate. Empty: password login only."),
    PLATFORM_THREADS("proxymap_platform_threads", "256", v -> Values.integer(v, 0),
            "Connections served by a platform thread each (lowest latency, see Performance); further connections get virtual threads. 0: virtual threads only"),
    POSTFIX_VERSION("proxymap_postfix_version", "auto",
            "The Postfix version whose proxymap this service stands in for (`3.7`, `3.11.6`, ...): 3.11 and later approve more tables (see Allow-list). `auto`: what the installed Postfix reports (`postconf -d -h mail_version`, asked again when postconf changes), else 3.7 with a warning"),
    BUSY_POLL_MICROSECONDS("proxymap_busy_poll_microseconds", "50", v -> Values.integer(v, 0),
            "After a reply, poll the connection this long for the client's next request before blocking: a burst of lookups skips a sleep and a wake-up per request (see Performance). Polls only while at most half the cores' number of connections are active, so a busy server spends no CPU on it. 0: always block"),
    DB_IN_MEMORY_MAX_SIZE("proxymap_db_in_memory_max_size", "33554432", v -> Values.longInteger(v, 0),
            "hash: and btree: files of up to this many bytes, opened through proxymap (read-only), are read into memory once they have been unchanged for a second, and answer from there while they stay unchanged (see Berkeley DB tables); 0: every lookup reads the file"),
    CACHE_MAPS("proxymap_cache_maps", "",
            "Tables whose lookups are cached (names as they follow `proxy:`, each approved in `proxy_read_maps` or `proxy_write_maps`), separated by commas or spaces; see Cache. Empty: nothing is cached"),
    CACHE_TTL("proxymap_cache_ttl", "60s", v -> Values.time(v, 's'),
            "How long a cached value that was found answers without asking the table again"),
    CACHE_NEGATIVE_TTL("proxymap_cache_negative_ttl", "10s", v -> Values.time(v, 's'),
            "The same for a key that was not found"),
    CACHE_STALE_TTL("proxymap_cache_stale_ttl", "1h", v -> Values.time(v, 's'),
            "How long past its TTL a cached answer may still answer while the table answers RETRY (database down, timeout, pool exhausted); 0s: never serve stale answers"),
    CACHE_MAX_ENTRIES("proxymap_cache_max_entries", "100000", v -> Values.integer(v, 1),
            "Cached answers, all cached tables together; the least used are evicted first");

    /** Turns a value into the setting's type; throws IllegalArgumentException saying what is wrong and how to write it. */
    @FunctionalInterface
    public interface Parser {
        Object parse(String value) throws IllegalArgumentException;
    }

    private final String key;
    private final String defaultValue;
    private final Parser parser;
    private final String description;

    Setting(String key, String defaultValue, Parser parser, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.parser = parser;
        this.description = description;
    }

    /** A free-text setting (no syntax to check). */
    Setting(String key, String defaultValue, String description) {
        this(key, defaultValue, v -> v, description);
    }

    public String key() { return key; }
    public String defaultValue() { return defaultValue; }

    /** The meaning, exactly as the README Settings table gives it (Markdown). */
    public String description() { return description; }

    /** {@code value} in this setting's type (Integer, Duration, Boolean, Path or String). */
    @SuppressWarnings("unchecked")
    public <T> T parse(String value) throws IllegalArgumentException {
        return (T) parser.parse(value);
    }

    /**
     * This setting's value among {@code parameters} (the expanded configuration a table
     * opens with), or its default when unset. The service
     * refused a bad value at load already, so this fails only for hand-made parameters.
     */
    public <T> T value(Function<String, String> parameters) throws IllegalArgumentException {
        String v = parameters.apply(key);
        return parse(v == null ? defaultValue : v);
    }

    public static Setting byKey(String key) {
        for (Setting s : values()) if (s.key.equals(key)) return s;
        return null;
    }
}
