package org.proxymap.table.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.it.Postmap;
import org.proxymap.testing.Slapd;

/**
 * {@code bind = sasl} (ldap_table(5), dict_ldap.c: {@code bind_dn} is the SASL
 * authentication identity, {@code bind_pw} its password, {@code sasl_realm},
 * {@code sasl_authz_id} the identity to assume, {@code sasl_mechs} the mechanisms to choose
 * from) against a slapd with Cyrus SASL's mechanisms:
 * Debian's postmap through Postfix's proxymap (libldap and libsasl2) and through ours, the
 * same answers. Anonymous readers see nothing; the SASL user sees people; only the identity it
 * may assume (authzTo) sees ou=secret.
 */
class LdapSaslTest {
    private static final String REALM = "example.org";
    private static final String USER = "saslreader";
    private static final String PASSWORD = "sasl-secret";
    private static final String PEOPLE = "ou=people," + Slapd.SUFFIX;
    private static final String AUDITOR = "uid=auditor," + PEOPLE;
    private static Slapd slapd;
    private static BothServers both;
    private static final Map<String, String> DEFS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        LdapFixture.requirePostfixLdap();
        String ldif = LdapFixture.ldif() + """
                dn: uid=%1$s,%2$s
                objectClass: account
                objectClass: simpleSecurityObject
                uid: %1$s
                userPassword: %5$s
                authzTo: dn:%3$s

                dn: uid=auditor,%2$s
                objectClass: account
                uid: auditor

                dn: ou=secret,%4$s
                objectClass: organizationalUnit
                ou: secret

                dn: uid=hidden,ou=secret,%4$s
                objectClass: account
                objectClass: postfixUser
                uid: hidden
                mailacceptinggeneralid: hidden@example.org
                maildrop: hidden@mail.example.org

                """.formatted(USER, PEOPLE, AUDITOR, Slapd.SUFFIX, PASSWORD);
        slapd = Slapd.startWithSasl(ldif, new Slapd.Sasl(REALM, """
                access to dn.subtree="ou=secret,%1$s"
                    by dn.exact="%2$s" read
                    by * none
                access to attrs=userPassword by anonymous auth by * none
                access to * by users read by anonymous auth
                """.formatted(Slapd.SUFFIX, AUDITOR)));
        // localhost: DIGEST-MD5's digest-uri names the host, slapd's sasl-host
        String base = "server_host = ldap://localhost:" + slapd.port + "\nsearch_base = " + Slapd.SUFFIX
                + "\nversion = 3\ntimeout = 5\nbind = sasl\nbind_dn = " + USER + "\nbind_pw = " + PASSWORD + "\n";
        DEFS.put("anonymous.cf", "server_host = ldap://localhost:" + slapd.port + "\nsearch_base = " + Slapd.SUFFIX + "\nversion = 3\nbind = no\n");
        // over ldap:// libldap's default security properties leave PLAIN out (no plaintext passwords)
        DEFS.put("plain.cf", base + "sasl_mechs = PLAIN\n");
        DEFS.put("digest.cf", base + "sasl_mechs = DIGEST-MD5\nsasl_realm = " + REALM + "\n");
        DEFS.put("cram.cf", base + "sasl_mechs = CRAM-MD5\n");
        // libsasl's choice: the first, unless a later one has a higher SSF and every flag (DIGEST-MD5)
        DEFS.put("several.cf", base + "sasl_mechs = PLAIN CRAM-MD5 DIGEST-MD5\nsasl_realm = " + REALM + "\n");
        DEFS.put("cram-first.cf", base + "sasl_mechs = CRAM-MD5, PLAIN\n");
        DEFS.put("authz-dn.cf", base + "sasl_mechs = DIGEST-MD5\nsasl_realm = " + REALM + "\nsasl_authz_id = dn:" + AUDITOR + "\n");
        DEFS.put("authz-u.cf", base + "sasl_mechs = DIGEST-MD5\nsasl_realm = " + REALM + "\nsasl_authz_id = u:auditor\n");
        DEFS.put("authz-refused.cf", base + "sasl_mechs = DIGEST-MD5\nsasl_authz_id = dn:uid=alice," + PEOPLE + "\n");
        DEFS.put("wrongpw-digest.cf", base.replace(PASSWORD, "not-the-password") + "sasl_mechs = DIGEST-MD5\nsasl_realm = " + REALM + "\n");
        DEFS.put("wrongpw-cram.cf", base.replace(PASSWORD, "not-the-password") + "sasl_mechs = CRAM-MD5\n");
        both = BothServers.start("pmldapsasl", DEFS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (both != null) both.close();
        if (slapd != null) slapd.close();
    }

    @Test
    void saslBindsAnswerAsPostfixsOwnProxymap() throws Exception {
        List<String> keys = List.of("alice@example.org", "hidden@example.org", "staff@example.org", "nobody@example.org");
        String stdin = String.join("\n", keys) + "\n";
        List<String> differ = new ArrayList<>();
        Map<String, Postmap.Result> mine = new LinkedHashMap<>();
        for (String cf : DEFS.keySet()) {
            Postmap.Result[] r = both.query(cf, stdin);
            if (!r[0].equals(r[1])) differ.add(cf + "\n   postfix: " + r[0] + "\n   ours:    " + r[1]);
            mine.put(cf, r[1]);
        }
        assertEquals(List.of(), differ);
        String alice = "alice@example.org\talice@mail.example.org\n";
        String hidden = "hidden@example.org\thidden@mail.example.org\n";
        assertEquals(1, mine.get("anonymous.cf").exit(), "anonymous sees nothing: " + mine.get("anonymous.cf"));
        for (String cf : List.of("digest.cf", "cram.cf", "several.cf", "cram-first.cf")) {
            Postmap.Result r = mine.get(cf);
            assertTrue(r.stdout().startsWith(alice) && !r.stdout().contains(hidden) && r.stderr().isEmpty(), cf + ": " + r);
        }
        for (String cf : List.of("authz-dn.cf", "authz-u.cf")) {
            Postmap.Result r = mine.get(cf);
            assertTrue(r.stdout().startsWith(alice) && r.stdout().contains(hidden), cf + ": " + r);
        }
        for (String cf : List.of("plain.cf", "authz-refused.cf", "wrongpw-digest.cf", "wrongpw-cram.cf")) {
            Postmap.Result r = mine.get(cf);
            assertTrue(r.exit() != 0 && r.stdout().isEmpty() && r.stderr().contains("query error"), cf + ": " + r);
        }
    }

    /** libsasl's choice among sasl_mechs, over ldap:// and over TLS or ldapi://. */
    @Test
    void mechanismChoiceIsLibsasls() {
        assertEquals(null, LdapPool.chooseMech("PLAIN", false), "no plaintext passwords without TLS");
        assertEquals("PLAIN", LdapPool.chooseMech("PLAIN", true));
        assertEquals("DIGEST-MD5", LdapPool.chooseMech("PLAIN CRAM-MD5 DIGEST-MD5", true), "a higher SSF and every flag");
        assertEquals("PLAIN", LdapPool.chooseMech("PLAIN CRAM-MD5", true), "the same SSF: the first stays");
        assertEquals("CRAM-MD5", LdapPool.chooseMech("cram-md5, PLAIN", false));
        assertEquals("DIGEST-MD5", LdapPool.chooseMech("GSSAPI EXTERNAL DIGEST-MD5", false), "no EXTERNAL identity on ldap://");
        assertEquals("EXTERNAL", LdapPool.chooseMech("EXTERNAL DIGEST-MD5", true), "DIGEST-MD5 lacks EXTERNAL's no-dictionary flag");
        assertEquals(null, LdapPool.chooseMech("GSSAPI SCRAM-SHA-256", true), "mechanisms this server lacks");
        assertEquals(null, LdapPool.chooseMech("", true));
    }
}
