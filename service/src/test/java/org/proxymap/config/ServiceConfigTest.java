package org.proxymap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** main.cf + proxymap.cf: overrides, warnings and errors with file:line. */
class ServiceConfigTest {

    private static Path dir(String mainCf, String proxymapCf) throws Exception {
        Path d = Files.createTempDirectory(Path.of("/tmp"), "pmsc");
        Files.writeString(d.resolve("main.cf"), mainCf);
        if (proxymapCf != null) Files.writeString(d.resolve("proxymap.cf"), proxymapCf);
        return d;
    }

    @Test
    void proxymapCfOverridesMainCfForThisServiceOnly() throws Exception {
        Path d = dir("proxy_read_maps = proxy:texthash:/a\nproxymap_service_name = pm\n",
                "proxy_read_maps = $proxy_read_maps_extra proxy:texthash:/b\nproxy_read_maps_extra = proxy:texthash:/c\n"
                        + "proxymap_request_deadline = 2m\nproxymap_protocol_announcement = NO\n");
        ServiceConfig c = ServiceConfig.load(d);
        assertEquals(java.util.Set.of("texthash:/b", "texthash:/c"), c.readMaps.tables());
        assertEquals("pm", c.proxymapServiceName);
        assertEquals(Duration.ofMinutes(2), c.requestDeadline);
        assertEquals(false, c.announceProtocol);
        assertTrue(c.where("proxy_read_maps").endsWith("proxymap.cf, line 1"), c.where("proxy_read_maps"));
        assertEquals(java.util.List.of(), c.warnings(), "a parameter used as $name is not a spelling error");
    }

    /** proxymap.cf, main.cf, config_directory and our defaults, the host's, Postfix 3.11's, Postfix's: the first that sets a name wins. */
    @Test
    void layersOverrideInOrder() throws Exception {
        Path d = dir("proxymap_idle_timeout = 5s\nproxymap_shutdown_grace = 3s\nmyhostname = mail.example.com\n",
                "proxymap_idle_timeout = 7s\nproxymap_postfix_version = 3.7\n");
        ServiceConfig c = ServiceConfig.load(d);
        assertEquals("7s", c.raw("proxymap_idle_timeout"));
        assertTrue(c.where("proxymap_idle_timeout").endsWith("proxymap.cf, line 1"), c.where("proxymap_idle_timeout"));
        assertEquals("3s", c.raw("proxymap_shutdown_grace"));
        assertTrue(c.where("proxymap_shutdown_grace").endsWith("main.cf, line 2"), c.where("proxymap_shutdown_grace"));
        assertEquals(Setting.REQUEST_DEADLINE.defaultValue(), c.raw(Setting.REQUEST_DEADLINE.key()));
        assertEquals("default", c.where(Setting.REQUEST_DEADLINE.key()));
        assertEquals(d.toAbsolutePath().normalize().toString(), c.raw("config_directory"));
        assertEquals("example.com", c.value("mydomain"), "computed from this main.cf's myhostname, not the built-in localdomain");
        assertEquals("postfix", c.raw("mail_owner"));
        assertEquals(null, c.raw("smtpd_reject_filter_maps"), "a 3.11 parameter is unknown while following 3.7");
        Files.writeString(d.resolve("proxymap.cf"), "proxymap_postfix_version = 3.11\n");
        ServiceConfig c311 = ServiceConfig.load(d);
        assertEquals("", c311.raw("smtpd_reject_filter_maps"));
        assertTrue(c311.raw("proxy_read_maps").contains("$smtpd_reject_filter_maps"), c311.raw("proxy_read_maps"));
        assertTrue(!c.raw("proxy_read_maps").contains("$smtpd_reject_filter_maps"), c.raw("proxy_read_maps"));
    }

    @Test
    void unknownNameInProxymapCfIsAWarningWithFileAndLine() throws Exception {
        ServiceConfig c = ServiceConfig.load(dir("", "# settings\nproxymap_idle_timout = 10s\n"));
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        String w = c.warnings().get(0);
        assertTrue(w.contains("proxymap.cf, line 2: unknown parameter proxymap_idle_timout (possible spelling error)"), w);
    }

    @Test
    void malformedPostfixParameterInProxymapCfIsAnError() throws Exception {
        Path d = dir("", "\nipc_timeout = 10x\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.load(d));
        assertTrue(e.getMessage().contains("proxymap.cf, line 2: ipc_timeout = 10x: bad time unit"), e.getMessage());
        ServiceConfig.load(dir("", "ipc_timeout = 10m\nipc_idle = ${x:{5s}}\nmessage_size_limit = 1000\nbiff = YES\n"));
        assertThrows(ConfigException.class, () -> ServiceConfig.load(dir("", "message_size_limit = 10M\n")));
        assertThrows(ConfigException.class, () -> ServiceConfig.load(dir("", "biff = true\n")));
    }

    @Test
    void malformedSettingsAreErrorsWithFileAndLine() throws Exception {
        for (Map.Entry<String, String> bad : Map.of(
                "proxymap_request_deadline = 1x", "bad time unit 'x'",
                "proxymap_max_attributes = ten", "bad numerical value",
                "proxymap_max_attributes = 2", "less than 8",
                "proxymap_protocol_announcement = true", "use yes or no",
                "proxymap_socket_mode = 0999", "use octal",
                "proxymap_idle_timeout = 99999999999w", "too large").entrySet()) {
            Path d = dir("", "# x\n\n" + bad.getKey() + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.load(d), bad.getKey());
            assertTrue(e.getMessage().contains("proxymap.cf, line 3: " + bad.getKey().replace(" = ", " = ")), e.getMessage());
            assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
        }
    }

    @Test
    void everySettingIsParsedAtLoadSqlAndJmxIncluded() throws Exception {
        for (Map.Entry<String, String> bad : Map.of(
                "proxymap_sql_max_connections = many", "bad numerical value",
                "proxymap_sql_pool_max_connections = 0", "less than 1",
                "proxymap_sql_query_timeout = 5x", "bad time unit 'x'",
                "proxymap_jmx_port = 70000", "0 to keep remote JMX off",
                "proxymap_jmx_address = ", "must not be empty").entrySet()) {
            Path d = dir("", "# x\n\n" + bad.getKey() + "\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.load(d), bad.getKey());
            assertTrue(e.getMessage().contains("proxymap.cf, line 3: " + bad.getKey().strip()), e.getMessage());
            assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
        }
        ServiceConfig c = ServiceConfig.load(dir("", "proxymap_sql_query_timeout = 2m\n"));
        assertEquals(Duration.ofMinutes(2), c.get(Setting.SQL_QUERY_TIMEOUT));
        assertEquals(Integer.valueOf(100), c.get(Setting.SQL_MAX_CONNECTIONS));
    }

    @Test
    void mainCfSyntaxErrorsNameFileAndLine() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.load(dir("a = b\n\nnoequals\n", null)));
        assertTrue(e.getMessage().endsWith("main.cf, line 3: missing '=' after attribute name: \"noequals\"; write name = value"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> ServiceConfig.load(dir("=x\n", null)));
        assertTrue(e.getMessage().contains("main.cf, line 1: missing attribute name"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ServiceConfig.load(Path.of("/tmp/no/such/dir")));
        assertTrue(e.getMessage().contains("main.cf: No such file or directory"), e.getMessage());
    }

    @Test
    void referenceLoopIsAnErrorThatNamesTheLoop() throws Exception {
        Path d = dir("\nproxy_read_maps = $a\na = x $b\nb = $a\n", null);
        ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.load(d));
        assertTrue(e.getMessage().contains("main.cf, line 4: b: parameter reference loop: $a -> $b -> $a (expanding proxy_read_maps)"),
                e.getMessage());
    }

    @Test
    void mainCfWarningsHaveFileAndLine() throws Exception {
        ServiceConfig c = ServiceConfig.load(dir("  stray = 1\na = 1\na = 2\n", null));
        assertTrue(c.warnings().get(0).contains("main.cf, line 1: logical line must not start with whitespace"), c.warnings().toString());
        assertTrue(c.warnings().get(1).contains("main.cf, line 3: overriding earlier entry: a=1"), c.warnings().toString());
        assertEquals("2", c.value("a"));
    }
}
