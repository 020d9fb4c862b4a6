package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableOpenException;

/** Parsing of .cf files and of the values Postfix treats as fatal. */
class MysqlConfigTest {
    @TempDir
    Path dir;

    private String write(String body) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body);
        return f.toString();
    }

    private MysqlConfig load(String body) throws Exception {
        return MysqlConfig.load(write(body), n -> null);
    }

    private String fails(String body) throws Exception {
        String f = write(body);
        var e = assertThrows(TableOpenException.class, () -> MysqlConfig.load(f, n -> null));
        assertTrue(e.getMessage().startsWith(f), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void defaultsAreMysqlTable5s() throws Exception {
        MysqlConfig c = load("dbname = mail\nquery = SELECT a FROM b WHERE c='%s'\n");
        assertEquals(List.of("localhost"), c.hosts);
        assertEquals("", c.user);
        assertEquals("utf8mb4", c.charset);
        assertEquals(60, c.retryInterval);
        assertEquals(60, c.idleInterval);
        assertEquals("%s", c.resultFormat);
        assertEquals(0, c.expansionLimit);
        assertEquals("client", c.optionGroup);
        assertNull(c.optionFile);
        assertTrue(c.requireResultSet);
        assertEquals(-1, c.tlsVerifyCert);
        assertFalse(c.tls());
        assertEquals("", c.domain);
    }

    @Test
    void valuesAreLiteralAndContinuationLinesJoin() throws Exception {
        MysqlConfig c = load("# comment\nhosts = h1:3306,\n  inet:h2 unix:/s\npassword = $secret #x\ndbname = d\n"
                + "query = SELECT goto\n FROM alias WHERE address='%s'\n");
        assertEquals(List.of("h1:3306", "inet:h2", "unix:/s"), c.hosts);
        assertEquals("$secret #x", c.password);
        assertEquals("SELECT goto FROM alias WHERE address='%s'", c.query);
    }

    @Test
    void legacyFieldsBuildTheQuery() throws Exception {
        MysqlConfig c = load("dbname = d\ntable = alias\nselect_field = goto\nwhere_field = address\nadditional_conditions = and active = '1'\n");
        assertEquals("SELECT goto FROM alias WHERE address='%s' and active = '1'", c.query);
        assertTrue(fails("dbname = d\ntable = alias\nselect_field = goto\n").contains("where_field"));
    }

    @Test
    void fatalValuesNameTheFileTheParameterAndTheFix() throws Exception {
        assertTrue(fails("query = SELECT 1\n").contains("set dbname = <database name>"));
        assertTrue(fails("dbname =\nquery = SELECT 1\n").contains("dbname"));
        assertTrue(fails("dbname = d\nquery = SELECT x WHERE y='%k'\n").contains("unknown sequence %k"));
        String m = fails("dbname = d\nquery = SELECT 1\nresult_format = %q\n");
        assertTrue(m.contains("line 3") && m.contains("result_format"), m);
        assertTrue(fails("dbname = d\nquery = SELECT 1\nexpansion_limit = many\n").contains("expansion_limit = many"));
        assertTrue(fails("dbname = d\nquery = SELECT 1\nretry_interval = 0\n").contains("retry_interval"));
        assertTrue(fails("dbname = d\nquery = SELECT 1\nrequire_result_set = maybe\n").contains("use yes or no"));
        assertTrue(fails("dbname = d\nquery = SELECT 1\ncharset = klingon\n").contains("charset"));
        assertTrue(fails("dbname = d\nquery = SELECT 1\ncharset =\n").contains("charset"));
    }

    @Test
    void legacyMainCfFormReadsPrefixedParameters() throws Exception {
        Map<String, String> main = Map.of("vmail_dbname", "mail", "vmail_query", "SELECT 1 WHERE '%s'", "vmail_hosts", "db1 db2");
        MysqlConfig c = MysqlConfig.load("vmail", main::get);
        assertEquals("mail", c.dbname);
        assertEquals(List.of("db1", "db2"), c.hosts);
    }

    @Test
    void hostsEntries() {
        assertEquals(new HostSpec("unix:/run/x.sock", true, "/run/x.sock", 0), HostSpec.parse("unix:/run/x.sock"));
        assertEquals(new HostSpec("inet:db:3307", false, "db", 3307), HostSpec.parse("inet:db:3307"));
        assertEquals(new HostSpec("db:3307", false, "db", 3307), HostSpec.parse("db:3307"));
        assertEquals(new HostSpec("db", false, "db", 0), HostSpec.parse("db"));
        assertEquals(new HostSpec("LocalHost", true, null, 0), HostSpec.parse("LocalHost"));
        assertEquals(new HostSpec("inet:[::1]:3307", false, "::1", 3307), HostSpec.parse("inet:[::1]:3307"));
        if (Files.exists(Path.of("/etc/services"))) assertEquals(3306, HostSpec.parse("db:mysql").port());
        var e = assertThrows(IllegalArgumentException.class, () -> HostSpec.parse("db:nosuchservice"));
        assertTrue(e.getMessage().contains("unknown service"));
    }

    @Test
    void openRefusesProxywriteAndBadFilesWithPostfixsWords() throws Exception {
        OpenContext rw = new OpenContext(true, 0, n -> null, new SharedResources());
        var e = assertThrows(TableOpenException.class, () -> new MysqlType().open("/x.cf", rw));
        assertEquals("mysql:/x.cf map requires O_RDONLY access mode", e.getMessage());
        OpenContext ro = new OpenContext(false, 0, n -> null, new SharedResources());
        e = assertThrows(TableOpenException.class, () -> new MysqlType().open(dir + "/missing.cf", ro));
        assertEquals("open " + dir + "/missing.cf: No such file or directory", e.getMessage());
    }

    @Test
    void tlsSettingsMapOntoDriverOptions() throws Exception {
        var none = TlsOptions.driverProperties(load("dbname = d\nquery = SELECT 1\n"), Map.of());
        assertEquals("disable", none.getProperty("sslMode"));
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, "x");
        var trust = TlsOptions.driverProperties(load("dbname = d\nquery = SELECT 1\ntls_CAfile = " + ca + "\n"), Map.of());
        assertEquals("trust", trust.getProperty("sslMode"));
        assertEquals(ca.toString(), trust.getProperty("serverSslCert"));
        var verify = TlsOptions.driverProperties(load("dbname = d\nquery = SELECT 1\ntls_CAfile = " + ca
                + "\ntls_verify_cert = yes\ntls_ciphers = TLS_AES_128_GCM_SHA256\n"), Map.of());
        assertEquals("verify-full", verify.getProperty("sslMode"));
        assertEquals("TLS_AES_128_GCM_SHA256", verify.getProperty("enabledSslCipherSuites"));
        var e = assertThrows(java.security.GeneralSecurityException.class, () -> TlsOptions.driverProperties(
                load("dbname = d\nquery = SELECT 1\ntls_ciphers = DHE-RSA-AES256-SHA\n"), Map.of()));
        assertTrue(e.getMessage().contains("OpenSSL cipher name"));
        // from an option file
        var opt = TlsOptions.driverProperties(load("dbname = d\nquery = SELECT 1\n"), Map.of("ssl-ca", ca.toString()));
        assertEquals("trust", opt.getProperty("sslMode"));
    }

    @Test
    void theTlsClientKeyStaysInMemory() throws Exception {
        Path cert = dir.resolve("client.pem");
        Path key = dir.resolve("client.key");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=proxymap-client",
                "-days", "2", "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.function.Supplier<Long> ours = () -> {
            try (var files = Files.list(tmp)) {
                return files.filter(f -> f.getFileName().toString().startsWith("proxymap-mysql")).count();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        long before = ours.get();
        var props = TlsOptions.driverProperties(load("dbname = d\nquery = SELECT 1\ntls_cert_file = " + cert
                + "\ntls_key_file = " + key + "\n"), Map.of());
        assertEquals(before, ours.get(), "no key store file written to " + tmp);
        assertEquals(InMemoryKeyTlsPlugin.TYPE, props.getProperty("tlsSocketType"));
        assertTrue(props.getProperty("keyStore").startsWith(InMemoryKeyTlsPlugin.PREFIX), props.getProperty("keyStore"));
        assertFalse(Files.exists(Path.of(props.getProperty("keyStore"))));
        // the driver finds the plugin by its type and gets the client certificate from memory
        var plugin = org.mariadb.jdbc.plugin.tls.TlsSocketPluginLoader.get(InMemoryKeyTlsPlugin.TYPE);
        assertTrue(plugin instanceof InMemoryKeyTlsPlugin, String.valueOf(plugin));
        var conf = org.mariadb.jdbc.Configuration.parse("jdbc:mariadb://localhost/d?sslMode=trust&tlsSocketType="
                + InMemoryKeyTlsPlugin.TYPE + "&keyStore=" + props.getProperty("keyStore"));
        var km = (javax.net.ssl.X509KeyManager) plugin.getKeyManager(conf, null)[0];
        String alias = km.chooseClientAlias(new String[] {"RSA"}, null, null);
        assertEquals("CN=proxymap-client", km.getCertificateChain(alias)[0].getSubjectX500Principal().getName());
        assertTrue(km.getPrivateKey(alias) != null);
    }

    @Test
    void optionFilesReadTheClientGroupsAndTheOptionGroup() throws Exception {
        Path f = dir.resolve("my.cnf");
        Path inc = dir.resolve("inc.cnf");
        Files.writeString(inc, "[postfix]\npassword = \"from include\"\n");
        Files.writeString(f, "[mysqld]\nuser = server\n[client]\nuser = reader\nport=3310\n# c\n; c\n[postfix]\nsocket = /s.sock\n"
                + "!include " + inc + "\n");
        Map<String, String> o = OptionFile.read(f.toString(), "postfix");
        assertEquals("reader", o.get("user"));
        assertEquals("3310", o.get("port"));
        assertEquals("/s.sock", o.get("socket"));
        assertEquals("from include", o.get("password"));
        assertNull(OptionFile.read(f.toString(), "").get("socket"), "option_group empty: only the client groups");
        assertTrue(OptionFile.read(null, "").isEmpty(), "no option file and no group: nothing is read");
    }
}
