package org.proxymap.table.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableOpenException;
import org.proxymap.testing.Trees;

/** pgsql_table(5) definitions without a server: hosts, URIs, encodings, quoting and the errors with file:line and the fix. */
class PgsqlConfigTest {
    static Path dir;

    @BeforeAll
    static void mk() throws Exception { dir = Files.createTempDirectory(Path.of("/tmp"), "pmpgc"); }

    @AfterAll
    static void rm() { Trees.delete(dir); }

    static String write(String body) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body);
        return f.toString();
    }

    static List<String> check(String body, Map<String, String> settings) throws Exception {
        return new PgsqlType().check(write(body), new OpenContext(false, 0, settings::get, new SharedResources()));
    }

    @Test
    void hostsAsDictPgsqlReadsThem() {
        HostSpec unix = HostSpec.parsePgsql("unix:/var/run/postgresql");
        assertTrue(unix.unix());
        assertEquals("/var/run/postgresql", unix.host());
        assertTrue(HostSpec.parsePgsql("/run/postgresql").unix(), "a leading / is a socket directory without unix:");
        HostSpec local = HostSpec.parsePgsql("localhost");
        assertFalse(local.unix(), "localhost is TCP for pgsql (unlike mysql)");
        assertEquals(0, local.port());
        HostSpec inet = HostSpec.parsePgsql("inet:db.example.com:5433");
        assertEquals("db.example.com", inet.host());
        assertEquals(5433, inet.port());
        assertEquals(5432, HostSpec.parsePgsql("[::1]:5432").port());
        assertEquals("::1", HostSpec.parsePgsql("[::1]:5432").host());
        var e = assertThrows(IllegalArgumentException.class, () -> HostSpec.parsePgsql("inet:db:postgresql"));
        assertTrue(e.getMessage().contains("port number"), e.getMessage());
        assertTrue(PgsqlDriver.INSTANCE.rank(unix, false) < PgsqlDriver.INSTANCE.rank(inet, false));
        assertTrue(PgsqlDriver.INSTANCE.rank(inet, true) < PgsqlDriver.INSTANCE.rank(unix, false), "connected hosts first");
    }

    @Test
    void connectionUris() {
        HostSpec h = HostSpec.parsePgsql("postgresql://mail:s3cret@db1.example.com:5433,db2.example.com/mails?sslmode=require"
                + "&target_session_attrs=read-write&application_name=pf");
        assertEquals("postgresql://mail:*****@db1.example.com:5433,db2.example.com/mails?sslmode=require"
                + "&target_session_attrs=read-write&application_name=pf", h.entry());
        PgsqlUri u = PgsqlUri.parse(h.uri());
        assertEquals("jdbc:postgresql://db1.example.com:5433,db2.example.com/mails", u.jdbcUrl());
        assertEquals("mail", u.user());
        assertEquals("s3cret", u.password());
        assertEquals("require", u.properties().getProperty("sslmode"));
        assertEquals("primary", u.properties().getProperty("targetServerType"));
        assertEquals("pf", u.properties().getProperty("ApplicationName"));
        PgsqlUri sock = PgsqlUri.parse("postgres:///mails?host=/run/postgresql&port=5434&user=pf");
        assertEquals("/run/postgresql", sock.unixDirectory());
        assertEquals(5434, sock.port());
        assertEquals("pf", sock.user());
        assertNull(sock.password());
        assertEquals(PgsqlUri.DEFAULT_SOCKET_DIRECTORY, PgsqlUri.parse("postgresql:///mails").unixDirectory());
        var e = assertThrows(IllegalArgumentException.class, () -> PgsqlUri.parse("postgresql://u:pw@h/db?fallback_application_name=x"));
        assertTrue(e.getMessage().contains("fallback_application_name") && e.getMessage().contains("supported are"), e.getMessage());
        assertFalse(e.getMessage().contains(":pw@"), e.getMessage());
    }

    @Test
    void definitionErrorsNameTheFileLineAndFix() throws Exception {
        String f = write("hosts = db.example.com\nuser = u\nquery = SELECT v FROM t WHERE k='%s'\n");
        var e = assertThrows(TableOpenException.class, () -> PgsqlConfig.load(f, k -> null));
        assertTrue(e.getMessage().startsWith(f) && e.getMessage().contains("requires dbname setting") && e.getMessage().contains("set dbname ="),
                e.getMessage());
        // URI targets carry their database: no dbname needed (Postfix 3.10)
        assertEquals(List.of(), check("hosts = postgresql://u@db/mails\nquery = SELECT v FROM t WHERE k='%s'\n", Map.of()));
        List<String> bad = check("hosts = db\ndbname = d\nquery = SELECT v FROM t WHERE k='%x'\n", Map.of());
        assertEquals(1, bad.size());
        assertTrue(bad.get(0).contains(", line 3: invalid query template") && bad.get(0).contains("%x"), bad.get(0));
        bad = check("hosts = db\ndbname = d\nencoding = KLINGON\nquery = SELECT 1\n", Map.of());
        assertTrue(bad.get(0).contains(", line 3: encoding = KLINGON") && bad.get(0).contains("UTF8 or LATIN1"), bad.get(0));
        bad = check("hosts = db\ndbname = d\nretry_interval = 0\nquery = SELECT 1\n", Map.of());
        assertTrue(bad.get(0).contains(", line 3: invalid retry_interval parameter value 0 < 1"), bad.get(0));
        bad = check("hosts = db:smtp\ndbname = d\nquery = SELECT 1\n", Map.of());
        assertTrue(bad.get(0).contains(", line 1: invalid port \"smtp\""), bad.get(0));
        bad = check("hosts = db\ndbname = d\n", Map.of());
        assertTrue(bad.get(0).contains("neither query nor the legacy 'table' parameter is set"), bad.get(0));
        bad = check("hosts = db\ndbname = d\nquery = SELECT 1\n", Map.of("proxymap_pgsql_default_encoding", "EBCDIC"));
        assertTrue(bad.get(0).contains("proxymap_pgsql_default_encoding = EBCDIC"), bad.get(0));
    }

    @Test
    void everyParameterIsRead() throws Exception {
        PgsqlConfig cf = PgsqlConfig.load(write("hosts = unix:/run/postgresql, inet:db:5433 postgresql://x@y/z\nuser = pf\npassword = pw\n"
                + "dbname = mail\nencoding = LATIN9\nretry_interval = 7\nidle_interval = 9\nresult_format = smtp:[%s]\n"
                + "expansion_limit = 3\ndomain = example.com\nselect_function = lookup\n"), k -> null);
        assertEquals(3, cf.hosts.size());
        assertEquals("SELECT lookup('%s')", cf.query);
        assertEquals("LATIN9", cf.encoding);
        assertEquals(7, cf.retryInterval);
        assertEquals(9, cf.idleInterval);
        assertEquals(3, cf.expansionLimit);
        assertEquals("example.com", cf.domain);
        PgsqlConfig fields = PgsqlConfig.load(write("dbname = d\ntable = alias\nselect_field = goto\nwhere_field = address\n"
                + "additional_conditions = AND active\n"), k -> null);
        assertEquals("SELECT goto FROM alias WHERE address='%s' AND active", fields.query);
        assertEquals("localhost", fields.hosts.get(0).host(), "no hosts: localhost over TCP");
        assertNull(fields.encoding);
        // legacy main.cf form: <name>_<parameter>
        PgsqlConfig legacy = PgsqlConfig.load("pgsource", Map.of("pgsource_dbname", "d", "pgsource_query", "SELECT 2")::get);
        assertEquals("SELECT 2", legacy.query);
    }

    @Test
    void quotingAndEncodings() throws Exception {
        assertEquals("a''b\\c", PgsqlTable.quote("a'b\\c", true));
        assertEquals("a''b\\\\c", PgsqlTable.quote("a'b\\c", false));
        assertEquals("plain", PgsqlTable.quote("plain", false));
        PgsqlEncoding latin1 = PgsqlEncoding.forName("latin1");
        assertEquals("\u00e9", latin1.encodeValue("\u00e9"));
        SQLException e = assertThrows(SQLException.class, () -> latin1.encodeValue("x\u20acy"));
        assertEquals("22P05", e.getSQLState());
        assertTrue(e.getMessage().contains("0xe2 0x82 0xac in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\""), e.getMessage());
        PgsqlEncoding utf8 = PgsqlEncoding.forName("UTF-8");
        assertEquals("\u00fc", utf8.decodeQuery("\u00c3\u00bc"));
        assertEquals("\u00c3\u00bc", utf8.encodeValue("\u00fc"));
        assertEquals("22021", assertThrows(SQLException.class, () -> utf8.decodeQuery("\u00fc")).getSQLState());
        assertEquals("\u00a4", PgsqlEncoding.forName("LATIN9").encodeValue("\u20ac"), "LATIN9 holds the euro sign at A4");
        assertNull(PgsqlEncoding.forName("KLINGON"));
        assertNotEquals(null, PgsqlEncoding.forName("win1252"));
    }

    @Test
    void fingerprintFollowsTheSettings() throws Exception {
        String f = write("hosts = db\ndbname = d\nquery = SELECT 1\n");
        SharedResources r = new SharedResources();
        String a = new PgsqlType().fingerprint(f, new OpenContext(false, 0, k -> null, r));
        String b = new PgsqlType().fingerprint(f, new OpenContext(false, 0, Map.of("proxymap_pgsql_default_encoding", "UTF8")::get, r));
        String c = new PgsqlType().fingerprint(f, new OpenContext(false, 0, Map.of("proxymap_sql_query_timeout", "9s")::get, r));
        assertNotEquals(a, b);
        assertNotEquals(a, c);
    }
}
