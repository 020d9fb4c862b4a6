package org.proxymap.table.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableOpenException;

/** ldap_table(5) parameters: Postfix's defaults, its corrections with a warning, and its fatal errors with file:line. */
class LdapConfigTest {
    @TempDir
    Path dir;

    private String write(String body) throws Exception {
        Path f = Files.createTempFile(dir, "t", ".cf");
        Files.writeString(f, body);
        return f.toString();
    }

    private LdapConfig load(String body) throws Exception { return LdapConfig.load(write(body), n -> null); }

    private String fails(String body) throws Exception {
        String f = write(body);
        var e = assertThrows(TableOpenException.class, () -> LdapConfig.load(f, n -> null));
        assertTrue(e.getMessage().startsWith(f), "names the file: " + e.getMessage());
        return e.getMessage().substring(f.length());
    }

    @Test
    void defaultsAreLdapTable5s() throws Exception {
        LdapConfig c = load("");
        assertEquals(List.of(new LdapConfig.Server("ldap", "localhost", 389, null)), c.servers);
        assertEquals(2, c.version);
        assertEquals(LdapConfig.SCOPE_SUB, c.scope);
        assertEquals("", c.searchBase);
        assertEquals(10, c.timeout);
        assertEquals("(mailacceptinggeneralid=%s)", c.queryFilter);
        assertEquals("%s", c.resultFormat);
        assertEquals(List.of("maildrop"), c.attributes);
        assertEquals(LdapConfig.BIND_SIMPLE, c.bind);
        assertEquals("", c.bindDn);
        assertEquals(1000, c.recursionLimit);
        assertEquals(0, c.expansionLimit);
        assertEquals(0, c.sizeLimit);
        assertEquals(0, c.dereference);
        assertFalse(c.chaseReferrals);
        assertFalse(c.startTls);
        assertFalse(c.tlsRequireCert);
        assertFalse(c.dynamicBase);
        assertEquals(List.of(), c.warnings);
    }

    @Test
    void serverHostListsUrlsAndPorts() throws Exception {
        LdapConfig c = load("server_host = ldap1.example, ldap2.example:3389 ldaps://ldap3.example ldap://[::1]:1389/ ldapi://%2Fvar%2Frun%2Fs\nserver_port = 10389\n");
        assertEquals(List.of(new LdapConfig.Server("ldap", "ldap1.example", 10389, null), new LdapConfig.Server("ldap", "ldap2.example", 3389, null),
                new LdapConfig.Server("ldaps", "ldap3.example", 636, null), new LdapConfig.Server("ldap", "::1", 1389, null),
                new LdapConfig.Server("ldapi", null, 0, "/var/run/s")), c.servers);
        assertEquals(3, c.version, "a non-ldap scheme needs LDAPv3, as Postfix corrects it");
        assertTrue(c.ldapSsl && c.tls());
        assertTrue(c.warnings.get(0).contains("requires protocol version 3"), c.warnings.toString());
    }

    @Test
    void attributesInPostfixsOrderAndSizeLimitDefaultsToExpansionLimit() throws Exception {
        LdapConfig c = load("result_attribute = maildrop, mail\nspecial_result_attribute = member memberURL\n"
                + "terminal_result_attribute = forward\nleaf_result_attribute = leafmail\nexpansion_limit = 7\n");
        assertEquals(List.of("forward", "leafmail", "maildrop", "mail", "member", "memberURL"), c.attributes);
        assertEquals(1, c.numTerminal);
        assertEquals(1, c.numLeaf);
        assertEquals(4, c.numAttributes);
        assertEquals(7, c.sizeLimit);
    }

    @Test
    void postfixsCorrectionsAreWarnings() throws Exception {
        LdapConfig c = load("scope = tree\nversion = 4\ndereference = 9\ncache = yes\ncache_size = 100\nquery_filter = (uid=fixed)\nstart_tls = yes\n");
        assertEquals(LdapConfig.SCOPE_SUB, c.scope);
        assertEquals(3, c.version, "start_tls forces v3 after the unknown version fell back to 2");
        assertEquals(0, c.dereference);
        String w = String.join("\n", c.warnings);
        for (String s : new String[] {"Unknown version 4, using 2", "Unrecognized value tree specified for scope", "Unrecognized value 9 specified for dereference",
                "ignoring cache", "ignoring cache_size", "Fixed query_filter (uid=fixed) is probably useless", "start_tls requires protocol version 3"}) {
            assertTrue(w.contains(s), s + " in " + w);
        }
    }

    @Test
    void keyDependentSearchBaseAndLegacyResultFilter() throws Exception {
        LdapConfig c = load("search_base = ou=%d, dc=example\nresult_filter = <%s>\n");
        assertTrue(c.dynamicBase);
        assertEquals("<%s>", c.resultFormat);
        assertEquals("[%s]", load("result_format = [%s]\nresult_filter = <%s>\n").resultFormat, "result_format wins");
    }

    @Test
    void fatalValuesNameFileLineAndFix() throws Exception {
        assertEquals(", line 2: invalid query template \"(uid=%x)\": unknown sequence %x; valid are %s %u %d %S %U %D %1-%9 and %% for a literal '%'",
                fails("server_host = ldap://x\nquery_filter = (uid=%x)\n"));
        assertTrue(fails("search_base = ou=%z\n").startsWith(", line 1: invalid query template \"ou=%z\""));
        assertTrue(fails("result_format = %q\n").startsWith(", line 1: invalid result_format template"));
        assertEquals(", line 1: unsupported parameter value: bind = maybe; use yes, no or sasl", fails("bind = maybe\n"));
        assertEquals(", line 1: bad numerical configuration: timeout = soon; use a whole number", fails("timeout = soon\n"));
        assertEquals(", line 1: invalid recursion_limit parameter value 0 < 1", fails("recursion_limit = 0\n"));
        assertEquals(", line 1: invalid version parameter value 1 < 2", fails("version = 1\n"));
        assertEquals(", line 1: bad boolean configuration: start_tls = maybe; use yes or no", fails("start_tls = maybe\n"));
        assertEquals(", line 2: invalid sasl_minssf parameter value 5000 > 4096", fails("bind = sasl\nsasl_minssf = 5000\n"));
    }

    @Test
    void checkReportsTheDefinitionAndMissingFileWithoutContactingAServer() throws Exception {
        OpenContext ctx = new OpenContext(false, 0, n -> null, new SharedResources());
        assertEquals(List.of(), new LdapType().check(write("server_host = ldap://192.0.2.1\n"), ctx));
        List<String> p = new LdapType().check(write("\n\nscope = one\nbind = perhaps\n"), ctx);
        assertEquals(1, p.size());
        assertTrue(p.get(0).contains(", line 4: unsupported parameter value: bind = perhaps"), p.toString());
        assertEquals(List.of("open " + dir + "/missing.cf: No such file or directory"), new LdapType().check(dir + "/missing.cf", ctx));
        var e = assertThrows(TableOpenException.class, () -> new LdapType().open(write(""), new OpenContext(true, 0, n -> null, new SharedResources())));
        assertTrue(e.getMessage().endsWith("map requires O_RDONLY access mode"));
    }

    @Test
    void quotingAndSubtypesArePostfixs() {
        assertEquals("a\\2Ab\\28c\\29d\\5Ce", LdapQuote.filter("a*b(c)d\\e"));
        assertEquals("J\u00fcrgen\\20M\\2C\\2B\\22\\23\\3B\\3C\\3E\\5C\\09x", LdapQuote.dn("J\u00fcrgen M,+\"#;<>\\\tx"));
        assertEquals(1, LdapTable.subtype("mail", "MAIL;lang-de"));
        assertEquals(1, LdapTable.subtype("mail", "mail"));
        assertEquals(-1, LdapTable.subtype("mail;lang-de", "mail"));
        assertEquals(0, LdapTable.subtype("mail", "mailHost"));
        assertEquals(0, LdapTable.subtype("mail;lang-de", "mail;lang-fr"));
    }

    @Test
    void fingerprintFollowsTheFileTheDomainFilesAndThePoolSettings() throws Exception {
        Path domains = dir.resolve("domains");
        Files.writeString(domains, "example.org\n");
        String f = write("server_host = ldap://192.0.2.1\ndomain = " + domains + "\n");
        OpenContext ctx = new OpenContext(false, 0, n -> null, new SharedResources());
        LdapType type = new LdapType();
        String first = type.fingerprint(f, ctx);
        assertEquals(first, type.fingerprint(f, ctx), "stable while nothing changes");
        Files.writeString(domains, "example.org\nexample.net\n");
        String second = type.fingerprint(f, ctx);
        assertFalse(first.equals(second), "a domain file change re-opens the table");
        Files.writeString(Path.of(f), "server_host = ldap://192.0.2.2\ndomain = " + domains + "\n");
        assertFalse(second.equals(type.fingerprint(f, ctx)), "a .cf change re-opens the table");
        OpenContext pool = new OpenContext(false, 0, n -> n.equals("proxymap_sql_pool_max_connections") ? "3" : null, new SharedResources());
        assertFalse(type.fingerprint(f, ctx).equals(type.fingerprint(f, pool)), "the pool size is part of it");
    }
}
