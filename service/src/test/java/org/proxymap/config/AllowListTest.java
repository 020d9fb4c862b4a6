package org.proxymap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The allow-list with Postfix 3.7's authorize_proxied_maps() rules. */
class AllowListTest {

    private static Set<String> approved(String list) { return AllowList.parse(list).tables(); }

    @Test
    void onlyProxyTokensApproveAndEveryLeadingProxyIsStripped() {
        assertEquals(Set.of("mysql:/etc/postfix/x.cf", "texthash:/t", "inline:{a=b}"),
                approved("proxy:mysql:/etc/postfix/x.cf, hash:/etc/aliases proxy:proxy:texthash:/t\tproxy:inline:{a=b}"));
    }

    @Test
    void aProxyTokenWithoutATypeApprovesNothing() {
        assertEquals(Set.of(), approved("proxy:nocolon proxy: proxy:proxy:"));
    }

    @Test
    void separatorsAreCommasAndWhitespaceWithBracesGrouping() {
        assertEquals(List.of("a", "b{c, d}e", "{ f g }", "h"), Tokens.split(" a,,b{c, d}e\n{ f g }\r\n,h, "));
        assertEquals(Set.of("inline:{ k1=v1, { k2 = v 2 } }", "x:y"),
                approved("proxy:inline:{ k1=v1, { k2 = v 2 } },proxy:x:y"));
    }

    @Test
    void aBracedTokenApprovesItsFirstWordOnly() {
        assertEquals(Set.of("mysql:/etc/postfix/x.cf"),
                approved("{ proxy:mysql:/etc/postfix/x.cf option=value }, { hash:/not/proxied }, { }"));
    }

    @Test
    void unbalancedBracesApproveNothing() {
        assertEquals(Set.of(), approved("{ proxy:a:b"));
        assertEquals(Set.of("c:d"), approved("pipemap:{proxy:a:b}x proxy:c:d"));
    }

    @Test
    void pipemapAndUnionmapApproveTheirProxiedMembers() {
        assertEquals(Set.of("mysql:/a.cf", "texthash:/b", "cidr:/c"),
                approved("pipemap:{proxy:mysql:/a.cf, hash:/x, unionmap:{ proxy:texthash:/b, { proxy:cidr:/c } }}"));
    }

    @Test
    void aProxiedCompositeIsOneTableItsMembersAreNotApproved() {
        assertEquals(Set.of("pipemap:{proxy:a:b, proxy:c:d}"), approved("proxy:pipemap:{proxy:a:b, proxy:c:d}"));
    }

    @Test
    void aCompositeWithoutBracesIsSkipped() {
        assertEquals(Set.of(), approved("pipemap:proxy:a:b unionmap:"));
    }

    @Test
    void matchingIsExactAndCaseSensitive() {
        AllowList l = AllowList.parse("proxy:mysql:/etc/postfix/x.cf proxy:inline:{a=b}");
        assertTrue(l.allows("mysql:/etc/postfix/x.cf"));
        assertFalse(l.allows("mysql:/etc/postfix//x.cf"), "paths are not canonicalised");
        assertFalse(l.allows("MYSQL:/etc/postfix/x.cf"));
        assertFalse(l.allows("mysql:/etc/postfix/x.cf "));
        assertFalse(l.allows("inline:{ a=b }"), "inner whitespace is part of the name");
        assertFalse(l.allows("proxy:mysql:/etc/postfix/x.cf"), "the caller strips proxy: first");
        assertEquals("mysql:/x", AllowList.stripProxy("proxy:proxy:mysql:/x"));
    }

    @Test
    void dollarNamesAreExpandedFirstAsInMainCf(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.cf"), """
                queue_directory = /tmp/nowhere
                virtual_alias_maps = proxy:mysql:${config_directory}/virtual.cf, hash:/etc/postfix/virtual
                transport_maps = proxy:$transport_type:/etc/postfix/transport
                transport_type = texthash
                relay_domains = pipemap:{ proxy:inline:{example.com=OK}, proxy:texthash:/r }
                proxy_read_maps = $virtual_alias_maps $transport_maps $relay_domains proxy:unix:passwd.byname
                proxy_write_maps = $address_verify_map
                address_verify_map = proxy:internal:verify
                """);
        ServiceConfig c = ServiceConfig.load(dir);
        assertEquals(Set.of("mysql:" + dir.toAbsolutePath() + "/virtual.cf", "texthash:/etc/postfix/transport",
                "inline:{example.com=OK}", "texthash:/r", "unix:passwd.byname"), c.readMaps.tables());
        assertEquals(Set.of("internal:verify"), c.writeMaps.tables());
    }

    @Test
    void postfixDefaultsApproveTheLocalRecipientTable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.cf"), "queue_directory = /tmp/nowhere\n");
        ServiceConfig c = ServiceConfig.load(dir);
        assertTrue(c.readMaps.allows("unix:passwd.byname"), c.readMaps.tables().toString());
        assertFalse(c.readMaps.allows("hash:/etc/aliases"), "alias_maps is not proxied by default");
    }
}
