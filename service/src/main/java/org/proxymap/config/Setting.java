package org.proxymap.config;

/**
 * The service's own settings, read from {@code proxymap.cf} (main.cf syntax). Every one has
 * a default, so a stock Postfix installation needs no proxymap.cf. This list is the single
 * source for the defaults, the README table and the daemon's manual page.
 */
public enum Setting {
    PROTOCOL_ANNOUNCEMENT("proxymap_protocol_announcement", "yes",
            "Send Postfix 3.6+'s protocol announcement on connect. Set no only when every client is Postfix 3.5 or older (they break on it)."),
    REQUEST_DEADLINE("proxymap_request_deadline", "1s",
            "Time for a request to arrive in full once its first byte has, and again for the reply to be written (Postfix's 1 s deadline)."),
    IDLE_TIMEOUT("proxymap_idle_timeout", "3600s",
            "Close a client connection that sends nothing for this long (Postfix clients reconnect on their own)."),
    MAX_ATTRIBUTES("proxymap_max_attributes", "64",
            "Largest number of attributes in one request; a larger request closes that connection."),
    MAX_ATTRIBUTE_SIZE("proxymap_max_attribute_size", "65536",
            "Largest attribute name or value in bytes (keys, update values); a larger one closes that connection."),
    LISTEN_BACKLOG("proxymap_listen_backlog", "4096",
            "Listen backlog of each socket (the kernel caps it at net.core.somaxconn)."),
    SOCKET_MODE("proxymap_socket_mode", "0666",
            "Permissions of the socket files, as master(8) sets them; access is guarded by the 0700 private/ directory."),
    MAX_CONNECTIONS("proxymap_max_connections", "10000",
            "Connections served at once; further connections wait in the listen backlog."),
    SHUTDOWN_GRACE("proxymap_shutdown_grace", "10s",
            "On stop, time for requests in flight to be answered before connections are closed."),
    CONFIG_AS_RETRY("proxymap_config_status_as_retry", "no",
            "Answer CONFIG (5) as RETRY (2), for Postfix 2.x clients that do not know status 5."),
    SQL_MAX_CONNECTIONS("proxymap_sql_max_connections", "100",
            "Database connections open at once, all SQL tables and pools together; a lookup waits up to proxymap_sql_query_timeout for one, then answers RETRY."),
    SQL_POOL_MAX_CONNECTIONS("proxymap_sql_pool_max_connections", "20",
            "Connections of one pool (one database host, user and database, shared by every table that uses it)."),
    SQL_CONNECT_TIMEOUT("proxymap_sql_connect_timeout", "2s",
            "Time to connect to a database server (and to check a pooled connection) before trying the next host or answering RETRY."),
    SQL_QUERY_TIMEOUT("proxymap_sql_query_timeout", "5s",
            "Time for one query, and for a free connection; a slower lookup answers RETRY."),
    PGSQL_DEFAULT_ENCODING("proxymap_pgsql_default_encoding", "LATIN1",
            "Client encoding of pgsql tables whose .cf file sets no encoding: LATIN1 as Postfix 3.7 and older hard-code it (Debian 12), UTF8 as the encoding parameter of Postfix 3.8+ defaults to."),
    JMX_PORT("proxymap_jmx_port", "0",
            "TCP port of the remote JMX connector (registry and RMI share it); 0 keeps remote JMX off. Read at start only."),
    JMX_ADDRESS("proxymap_jmx_address", "127.0.0.1",
            "Address the JMX connector listens on; keep it on loopback unless a firewall guards the port."),
    JMX_PASSWORD_FILE("proxymap_jmx_password_file", "${config_directory}/proxymap-jmx.password",
            "JMX users and passwords, one 'user password' per line, mode 0600 (required when the port is set)."),
    JMX_ACCESS_FILE("proxymap_jmx_access_file", "${config_directory}/proxymap-jmx.access",
            "JMX roles, one 'user readonly|readwrite|jvm-admin' per line, mode 0644 at most: readonly reads attributes, readwrite may also reload and look up, jvm-admin may also operate the JVM's own MBeans."),
    JMX_TLS_KEYSTORE("proxymap_jmx_tls_keystore", "",
            "PKCS12 key store with the JMX connector's private key and certificate: registry and connector then speak TLS only (required when proxymap_jmx_address is not a loopback address). Empty: no TLS."),
    JMX_TLS_KEYSTORE_PASSWORD_FILE("proxymap_jmx_tls_keystore_password_file", "",
            "File holding the key store's password alone on one line, mode 0600 (the password never goes into proxymap.cf)."),
    JMX_TLS_CLIENT_TRUSTSTORE("proxymap_jmx_tls_client_truststore", "",
            "The certificates (or CAs) whose JMX clients may connect, a PEM file (or a PKCS12 store without password): when set, a client must also present a certificate. Empty: password login only."),
    PLATFORM_THREADS("proxymap_platform_threads", "256",
            "Connections served by a platform thread each (the lowest latency per request); further connections get a virtual thread each, so proxymap_max_connections stays cheap. 0: virtual threads only."),
    POSTFIX_VERSION("proxymap_postfix_version", "auto",
            "The Postfix version whose proxymap this service stands in for, e.g. 3.7 or 3.11.6: 3.11 and later approve more tables (a longer default proxy_read_maps, tables named in /file/name contents and in smtpd_restriction_classes). auto: what the installed Postfix reports (postconf -d -h mail_version), else 3.7."),
    BUSY_POLL_MICROSECONDS("proxymap_busy_poll_microseconds", "50",
            "After a reply, poll the connection this many microseconds for the client's next request before blocking (lower latency for bursts of lookups, CPU spent while polling); only while at most half the cores' number of connections are active, so a busy server spends no CPU on it. 0: always block.");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() { return key; }
    public String defaultValue() { return defaultValue; }
    public String description() { return description; }

    public static Setting byKey(String key) {
        for (Setting s : values()) if (s.key.equals(key)) return s;
        return null;
    }
}
