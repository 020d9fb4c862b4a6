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
import org.proxymap.it.PostfixReference;
import org.proxymap.it.Postmap;
import org.proxymap.testing.Require;
import org.proxymap.testing.Slapd;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * ldaps://, StartTLS (with and without certificate checks) and ldapi:// against a slapd with
 * a throwaway CA: Debian's postmap through Postfix's proxymap and through ours, same answers.
 */
class LdapTlsTest {
    private static Slapd slapd;
    private static Path cfDir;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static final Map<String, String> DEFS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        Require.that(Files.exists(Path.of("/usr/lib/postfix/postfix-ldap.so")), "postfix-ldap (Postfix's ldap client)");
        slapd = Slapd.startWithTls(LdapFixture.ldif());
        cfDir = Files.createTempDirectory(Path.of("/tmp"), "pmldaptls");
        Files.setPosixFilePermissions(cfDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path ca = cfDir.resolve("ca.pem");
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
        StringBuilder maps = new StringBuilder("proxy_read_maps =");
        for (var e : DEFS.entrySet()) {
            Path f = cfDir.resolve(e.getKey());
            Files.writeString(f, e.getValue());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            maps.append("\n    proxy:ldap:").append(f);
        }
        postfix = PostfixReference.start(maps + "\n");
        ours = TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        if (slapd != null) slapd.close();
        Trees.delete(cfDir);
    }

    @Test
    void tlsAndLdapiAnswerAsPostfixsOwnProxymap() throws Exception {
        List<String> keys = List.of("alice@example.org", "bob@example.org", "staff@example.org", "nobody@example.org", "star*user@example.org");
        List<String> differ = new ArrayList<>();
        int found = 0, failed = 0;
        for (String cf : DEFS.keySet()) {
            String table = "proxy:ldap:" + cfDir.resolve(cf);
            String stdin = String.join("\n", keys) + "\n";
            var theirsLater = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return Postmap.run(postfix.etc, stdin, 30, "-q", "-", table).normalized(postfix.dir);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Postmap.Result mine = Postmap.run(ours.etc, stdin, 30, "-q", "-", table).normalized(ours.dir);
            Postmap.Result theirs = theirsLater.join();
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
