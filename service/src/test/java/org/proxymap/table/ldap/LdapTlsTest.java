package org.proxymap.table.ldap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.it.Postmap;
import org.proxymap.testing.Slapd;
import org.proxymap.testing.Trees;

/**
 * ldaps://, StartTLS (with and without certificate checks) and ldapi:// against a slapd with
 * a throwaway CA: Debian's postmap through Postfix's proxymap and through ours, same answers.
 */
class LdapTlsTest {
    private static Slapd slapd;
    private static Path caDir;
    private static BothServers both;
    private static final Map<String, String> DEFS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        LdapFixture.requirePostfixLdap();
        slapd = Slapd.startWithTls(LdapFixture.ldif());
        // a copy of the CA that Postfix's proxymap (user postfix) can read
        caDir = Files.createTempDirectory(Path.of("/tmp"), "pmldapca");
        Files.setPosixFilePermissions(caDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path ca = caDir.resolve("ca.pem");
        Files.copy(slapd.caCert(), ca, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
        String base = "search_base = " + Slapd.SUFFIX + "\nversion = 3\nspecial_result_attribute = member\ntimeout = 5\n";
        String verify = "tls_require_cert = yes\ntls_ca_cert_file = " + ca + "\n";
        DEFS.put("ldaps-nocheck.cf", "server_host = " + slapd.tlsUrl() + "\n" + base);
        DEFS.put("ldaps-verify.cf", "server_host = " + slapd.tlsUrl() + "\n" + base + verify);
        DEFS.put("ldaps-untrusted.cf", "server_host = " + slapd.tlsUrl() + "\n" + base + "tls_require_cert = yes\n");
        DEFS.put("starttls-verify.cf", "server_host = " + slapd.url() + "\nstart_tls = yes\n" + base + verify
                + "bind_dn = " + LdapFixture.READER_DN + "\nbind_pw = " + LdapFixture.READER_PW + "\n");
        DEFS.put("starttls-nocheck.cf", "server_host = " + slapd.url() + "\nstart_tls = yes\n" + base);
        DEFS.put("ldapi.cf", "server_host = ldapi://" + slapd.ldapi().toString().replace("/", "%2F") + "\n" + base + "bind = no\n");
        DEFS.put("ldapi-external.cf", "server_host = ldapi://" + slapd.ldapi().toString().replace("/", "%2F") + "\n" + base
                + "bind = sasl\nsasl_mechs = EXTERNAL\n");
        DEFS.put("failover.cf", "server_host = ldap://127.0.0.1:" + Slapd.freePort() + " " + slapd.url() + "\n" + base);
        both = BothServers.start("pmldaptls", DEFS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (both != null) both.close();
        if (slapd != null) slapd.close();
        if (caDir != null) Trees.delete(caDir);
    }

    @Test
    void tlsAndLdapiAnswerAsPostfixsOwnProxymap() throws Exception {
        List<String> keys = List.of("alice@example.org", "bob@example.org", "staff@example.org", "nobody@example.org", "star*user@example.org");
        List<String> differ = new ArrayList<>();
        int found = 0, failed = 0;
        for (String cf : DEFS.keySet()) {
            Postmap.Result[] r = both.query(cf, String.join("\n", keys) + "\n");
            Postmap.Result theirs = r[0];
            Postmap.Result mine = r[1];
            if (!theirs.equals(mine)) differ.add(cf + "\n   postfix: " + theirs + "\n   ours:    " + mine);
            if (mine.exit() == 0) found++;
            if (!mine.stderr().isEmpty()) failed++;
            if (!cf.equals("ldaps-untrusted.cf")) {
                assertTrue(mine.stdout().startsWith("alice@example.org\talice@mail.example.org\n"), cf + ": " + mine);
            }
        }
        System.out.printf("ldap tls: %d definitions x %d keys, %d answered, %d failed, %d different%n", DEFS.size(), 5, found, failed, differ.size());
        assertEquals(List.of(), differ);
        assertEquals(1, failed, "only the definition whose CA is not trusted fails");
    }
}
