package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proxymap.config.ServiceConfig;
import org.proxymap.jmx.CheckReport;
import org.proxymap.table.TableRegistry;

/** {@code proxymap -c DIR config [NAME...]} and {@code proxymap -c DIR check}: output and exit codes. */
class CliTest {
    record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path dir(String mainCf, String proxymapCf) throws Exception {
        Path d = Files.createTempDirectory(Path.of("/tmp"), "pmcli").toRealPath();
        Files.writeString(d.resolve("main.cf"), mainCf);
        if (proxymapCf != null) Files.writeString(d.resolve("proxymap.cf"), proxymapCf);
        return d;
    }

    @Test
    void versionIsTheBuildsVersion() throws Exception {
        Run r = run("--version");
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.matches("proxymap \\d+\\.\\d+\\.\\d+\\S*\n"), r.out);
        assertEquals("proxymap " + org.proxymap.jmx.Version.get() + "\n", r.out);
    }

    @Test
    void configPrintsNamedParametersExpandedLikePostconf() throws Exception {
        Path d = dir("mydomain = example.org\nproxy_read_maps = proxy:texthash:$config_directory/a,\n   ${mydomain?{x  y}}\n"
                + "virtual_mailbox_maps =\n", "proxymap_request_deadline = 5s\n");
        Run r = run("-c", d.toString(), "config", "proxy_read_maps", "virtual_mailbox_maps", "proxymap_request_deadline", "nosuch");
        assertEquals("proxy_read_maps = proxy:texthash:" + d + "/a, x y\nvirtual_mailbox_maps =\nproxymap_request_deadline = 5s\n", r.out);
        assertEquals("proxymap: warning: nosuch: unknown parameter\n", r.err);
        assertEquals(1, r.status);
    }

    @Test
    void configWithoutNamesPrintsEveryParameterTheServiceUses() throws Exception {
        Path d = dir("queue_directory = /q\n", "proxymap_max_connections = 7\n");
        Run r = run("-c", d.toString(), "config");
        assertEquals(0, r.status, r.err);
        List<String> lines = r.out.lines().toList();
        assertEquals(ServiceConfig.usedParameters().size(), lines.size());
        assertTrue(lines.contains("config_directory = " + d), r.out);
        assertTrue(lines.contains("queue_directory = /q"), r.out);
        assertTrue(lines.contains("proxymap_service_name = proxymap"), r.out);
        assertTrue(lines.contains("proxymap_max_connections = 7"), r.out);
        assertTrue(lines.contains("proxymap_idle_timeout = 3600s"), r.out);
    }

    @Test
    void configReportsAnExpansionErrorWithFileAndLine() throws Exception {
        Path d = dir("relay_domains = $a\na = $relay_domains\n", null);
        Run r = run("-c", d.toString(), "config", "relay_domains");
        assertEquals(1, r.status);
        assertTrue(r.err.contains("main.cf, line 2: a: parameter reference loop: $relay_domains -> $a -> $relay_domains"), r.err);
    }

    @Test
    void checkAcceptsAUsableConfiguration() throws Exception {
        Path d = dir("proxy_read_maps = proxy:texthash:$config_directory/t proxy:inline:{a=b}\n", "proxymap_idel_timeout = 1s\n");
        Files.writeString(d.resolve("t"), "k v\n");
        Run r = run("-c", d.toString(), "check");
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("is usable (2 approved tables checked)"), r.out);
        assertTrue(r.err.contains("proxymap: warning: " + d + "/proxymap.cf, line 1: unknown parameter proxymap_idel_timeout (possible spelling error)"), r.err);
    }

    @Test
    void checkFailsPerKindOfError() throws Exception {
        String[][] cases = {
                // main.cf, proxymap.cf, expected message
                {"a = 1\nbroken line\n", null, "main.cf, line 2: missing '=' after attribute name: \"broken line\""},
                {"", "\nipc_timeout = 10x\n", "proxymap.cf, line 2: ipc_timeout = 10x: bad time unit 'x'"},
                {"", "proxymap_max_attributes = many\n", "proxymap.cf, line 1: proxymap_max_attributes = many: bad numerical value"},
                {"proxy_read_maps = $x\nx = $proxy_read_maps\n", null, "main.cf, line 2: x: parameter reference loop: $proxy_read_maps -> $x -> $proxy_read_maps"},
                {"proxy_read_maps = ${x\n", null, "main.cf, line 1: proxy_read_maps: truncated macro reference"},
                {"\nvirtual_alias_maps = proxy:dbm:/etc/postfix/virtual\n", null,
                        "main.cf, line 2: proxy:dbm:/etc/postfix/virtual: unsupported dictionary type: dbm (dbm files are not supported"},
                {"\n\nproxy_read_maps = proxy:texthash:/nonexistent/t\n", null,
                        "main.cf, line 3: proxy:texthash:/nonexistent/t: open database /nonexistent/t: No such file or directory"},
                {"proxy_read_maps = proxy:inline:{novalue}\n", null, "proxy:inline:{novalue}: inline:{novalue}: missing '='"},
                {"proxy_read_maps = proxy:mongodb:/etc/postfix/m.cf\n", null,
                        "proxy:mongodb:/etc/postfix/m.cf: unsupported dictionary type: mongodb (mongodb: is not supported"},
                {"proxy_read_maps = proxy:sqlite:$config_directory/bad-sqlite.cf\n", null, "/bad-sqlite.cf, line 2: invalid query template"},
                {"proxy_read_maps = proxy:sqlite:$config_directory/nodb-sqlite.cf\n", null,
                        "/nodb-sqlite.cf: Can't open database /nonexistent/x.sqlite: unable to open database file"},
                {"proxy_read_maps = proxy:memcache:$config_directory/bad-memcache.cf\n", null,
                        "/bad-memcache.cf, line 3: memcache = tcp:localhost:11211: invalid transport name: tcp"},
                {"proxy_read_maps = proxy:memcache:$config_directory/down-memcache.cf\n", null,
                        "/down-memcache.cf: connect to inet:127.0.0.1:1: Connection refused"},
        };
        for (String[] c : cases) {
            Path d = dir(c[0], c[1]);
            Files.writeString(d.resolve("bad-sqlite.cf"), "dbpath = /x.sqlite\nquery = SELECT '%x'\n");
            Files.writeString(d.resolve("nodb-sqlite.cf"), "dbpath = /nonexistent/x.sqlite\nquery = SELECT 1\n");
            Files.writeString(d.resolve("bad-memcache.cf"), "# comment\n\nmemcache = tcp:localhost:11211\n");
            Files.writeString(d.resolve("down-memcache.cf"), "memcache = inet:127.0.0.1:1\n");
            Run r = run("-c", d.toString(), "check");
            assertEquals(1, r.status, c[2] + "\n" + r.err);
            assertTrue(r.err.contains("proxymap: error: ") && r.err.contains(c[2]), "want " + c[2] + "\ngot " + r.err);
            assertTrue(r.out.contains("is NOT usable"), r.out);
        }
        Run r = run("-c", "/tmp/no-such-dir", "check");
        assertEquals(1, r.status);
        assertTrue(r.err.contains("main.cf: No such file or directory; -c names Postfix's configuration directory"), r.err);
    }

    @Test
    void checkRunsTheTypesDefinitionCheckWithFileAndLine() throws Exception {
        Path d = dir("proxy_read_maps = proxy:strict:$config_directory/s\nproxy_write_maps = proxy:strict:$config_directory/s2\n", null);
        Files.writeString(d.resolve("s"), "a b\nbad\n");
        Files.writeString(d.resolve("s2"), "a b\n");
        StrictTestType strict = new StrictTestType();
        CheckReport rep = ConfigChecker.check(d, new TableRegistry(strict.withBuiltins(), n -> null));
        assertFalse(rep.ok());
        assertEquals(List.of("strict:" + d + "/s", "strict:" + d + "/s2"), rep.tables());
        assertEquals(List.of(d + "/main.cf, line 1: proxy:strict:" + d + "/s: " + d + "/s, line 2: expected \"key value\"; fix or remove the line"),
                rep.problems());
        assertEquals(1, strict.opened.get(), "s2 is opened, s is not");
        assertEquals(1, strict.closed.get(), "and closed again");
    }

    @Test
    void usageErrors() {
        assertEquals(2, run("-c").status);
        assertEquals(2, run("-c", "/etc/postfix").status);
        Run r = run("check", "extra");
        assertEquals(2, r.status);
        assertTrue(r.err.contains("usage"), r.err);
    }
}
