package org.proxymap.table.pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.proxymap.table.file.Differential;
import org.proxymap.table.file.Postmap;
import org.proxymap.it.PostfixReference;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;

/**
 * The same tables through our server and through the REAL Postfix 3.7 proxymap (a private
 * instance, {@link PostfixReference}), as Postfix's own proxy client sees them
 * ({@code postmap -q - proxy:TYPE:FILE} against each): the oracle is the real server, which
 * opens the table with the flags the client sends, not {@code postmap} on the file.
 */
class ThroughServerTest {
    @Test
    void patternUnixAndEnvironTablesAnswerAsPostfixThroughTheProxy() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:regexp:${config_directory}/re proxy:pcre:${config_directory}/pcre"
                + " proxy:cidr:${config_directory}/cidr proxy:unix:passwd.byname proxy:unix:group.byname proxy:environ:x"
                + " proxy:hash:${config_directory}/old");
        Random r = new Random(11);
        Files.writeString(dir.resolve("etc/re"), RegexpDifferentialTest.table(r, 10, false) + RuleFilesTest.REGEXP,
                StandardCharsets.ISO_8859_1);
        Files.writeString(dir.resolve("etc/pcre"), RegexpDifferentialTest.table(r, 10, true) + RuleFilesTest.PCRE,
                StandardCharsets.ISO_8859_1);
        Files.writeString(dir.resolve("etc/cidr"), CidrDifferentialTest.table(r) + RuleFilesTest.CIDR);
        List<String> keys = new ArrayList<>(RuleFilesTest.keys());
        keys.addAll(Differential.keys(r, RegexpDifferentialTest.ALPHABET, 400, 7));
        for (int i = 0; i < 150; i++) keys.add(r.nextBoolean() ? CidrDifferentialTest.v4(r) : CidrDifferentialTest.v6(r));
        List<String> users = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) users.add(line.split(":")[0]);
        for (String line : Files.readAllLines(Path.of("/etc/group"))) users.add(line.split(":")[0]);
        for (String u : List.copyOf(users)) users.add(u.toUpperCase());
        users.add("no-such-user");

        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        for (Path p : new Path[] {dir, dir.resolve("etc")}) Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> tables = List.of("regexp:" + dir.resolve("etc/re"), "pcre:" + dir.resolve("etc/pcre"), "cidr:" + dir.resolve("etc/cidr"),
                "unix:passwd.byname", "unix:group.byname");
        try (TestServer s = TestServer.start(dir);
                PostfixReference real = PostfixReference.start(
                        // the same client as ours (compatibility_level 0 there): keys and values are raw bytes
                        "smtputf8_enable = no\nproxy_read_maps = proxy:" + String.join(" proxy:", tables) + "\n")) {
            Postmap direct = Postmap.at(s.etc);
            Postmap theirs = Postmap.at(real.etc);
            int compared = 0;
            for (String t : tables) {
                List<String> k = t.startsWith("unix:") ? users : keys;
                Map<String, String> expected = theirs.query("proxy:" + t, k);
                Map<String, String> proxied = direct.query("proxy:" + t, k);
                assertTrue(!expected.isEmpty(), t + ": " + real.log());
                assertEquals(expected, proxied, t);
                compared += k.size();
            }
            // environ: as a Postfix daemon sees it, after import_environment (postmap -f: names are case-sensitive)
            // (postmap itself keeps its whole environment; a Postfix daemon such as proxymap has only these)
            List<String> vars = List.of("LANG", "TZ", "MAIL_CONFIG", "NO_SUCH_VAR");
            Postmap.Result viaProxy = direct.run(String.join("\n", vars) + "\n", "-f", "-q", "-", "proxy:environ:x");
            Postmap.Result own = direct.run(String.join("\n", vars) + "\n", "-f", "-q", "-", "environ:x");
            assertEquals(own.stdout(), viaProxy.stdout());
            assertTrue(viaProxy.stdout().contains("LANG\tC\n"), viaProxy.stdout());
            assertEquals("", direct.run("HOME\n", "-f", "-q", "-", "proxy:environ:x").stdout());
            System.out.println("through the server: " + compared + " keys compared");

            // Berkeley DB: a surrogate, as Postfix does for a table it cannot open; the log names the alternatives
            Postmap.Result bdb = direct.run("x\n", "-q", "-", "proxy:hash:" + s.etc.resolve("old"));
            assertEquals("", bdb.stdout());
            assertTrue(bdb.stderr().contains("table lookup problem") || bdb.exit() != 0, bdb.stderr());
        }
    }
}
