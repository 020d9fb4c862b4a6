package org.proxymap.table.ldap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.proxymap.it.PostfixReference;
import org.proxymap.testing.Require;
import org.proxymap.testing.Slapd;

/**
 * The test directory (users, aliases, groups with member DNs, mail-address members and
 * URLs, multi-valued and language-tagged attributes, UTF-8, keys with {@code * ( ) \}) and
 * a dozen ldap_table(5) definitions in the styles Postfix's documentation and howtos use.
 */
final class LdapFixture {
    private LdapFixture() {}

    /** What the differential tests compare with: Debian's Postfix (as root) and its ldap client. */
    static void requirePostfixLdap() {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        Require.that(Files.exists(Path.of("/usr/lib/postfix/postfix-ldap.so")), "postfix-ldap (Postfix's ldap client)");
    }

    static final String READER_DN = "cn=reader," + Slapd.SUFFIX;
    static final String READER_PW = "reader-secret";

    private static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }

    static String ldif() {
        String p = "ou=people," + Slapd.SUFFIX;
        String g = "ou=groups," + Slapd.SUFFIX;
        StringBuilder sb = new StringBuilder("""
                dn: %1$s
                objectClass: dcObject
                objectClass: organization
                o: Example
                dc: example

                dn: ou=people,%1$s
                objectClass: organizationalUnit
                ou: people

                dn: ou=groups,%1$s
                objectClass: organizationalUnit
                ou: groups

                dn: %2$s
                objectClass: organizationalRole
                objectClass: simpleSecurityObject
                cn: reader
                userPassword: %3$s

                dn: ou=example.org,%1$s
                objectClass: organizationalUnit
                ou: example.org

                dn: uid=dave,ou=example.org,%1$s
                objectClass: account
                objectClass: postfixUser
                uid: dave
                mailacceptinggeneralid: dave@example.org
                maildrop: dave@mail.example.org

                """.formatted(Slapd.SUFFIX, READER_DN, READER_PW));
        user(sb, p, "alice", List.of("alice@example.org", "alias@example.org"), List.of("alice@mail.example.org"), "alice@example.org", null);
        user(sb, p, "bob", List.of("bob@example.org"), List.of("bob@mail.example.org", "bob@backup.example.net"), "bob@example.org",
                "maildrop;lang-de: bob@de.example.org\n");
        sb.append("dn: uid=juergen,").append(p).append("\nobjectClass: inetOrgPerson\nobjectClass: postfixUser\nuid: juergen\nsn: J\n")
                .append("cn:: ").append(b64("J\u00fcrgen M\u00fcller")).append('\n')
                .append("mail:: ").append(b64("j\u00fcrgen@example.org")).append('\n')
                .append("mailacceptinggeneralid:: ").append(b64("j\u00fcrgen@example.org")).append('\n')
                .append("maildrop:: ").append(b64("j\u00fcrgen@mail.example.org")).append("\n\n");
        user(sb, p, "star", List.of("star*user@example.org"), List.of("star@mail.example.org"), null, null);
        user(sb, p, "paren", List.of("paren(x)@example.org"), List.of("paren@mail.example.org"), null, null);
        user(sb, p, "backslash", List.of("back\\slash@example.org"), List.of("backslash@mail.example.org"), null, null);
        user(sb, p, "comma", List.of("a,b@example.org"), List.of("comma@mail.example.org"), null, null);
        user(sb, p, "carol", List.of("carol@example.org"), List.of("carol@mail.example.org"), "carol@example.org",
                "terminalDrop: carol-terminal@mail.example.org\n");
        for (int i = 1; i <= 5; i++) user(sb, p, "sales" + i, List.of("sales@example.org"), List.of("sales" + i + "@mail.example.org"), null, null);
        group(sb, g, "staff", "staff@example.org", List.of("uid=alice," + p, "uid=bob," + p, "uid=ghost," + p, "cn=admins," + g),
                "maildrop: external@other.example\nmail: staff-list@example.org\n");
        group(sb, g, "admins", "admins@example.org", List.of("uid=carol," + p), "mail: admins-list@example.org\n");
        group(sb, g, "loop1", "loop@example.org", List.of("cn=loop2," + g), "maildrop: loop1@mail.example.org\n");
        group(sb, g, "loop2", "loop2@example.org", List.of("cn=loop1," + g), "maildrop: loop2@mail.example.org\n");
        sb.append("dn: cn=everyone,").append(g).append("\nobjectClass: groupOfURLs\nobjectClass: postfixUser\ncn: everyone\n")
                .append("mailacceptinggeneralid: everyone@example.org\n")
                .append("memberURL: ldap:///").append(p).append("??one?(|(uid=alice)(uid=bob)(uid=carol))\n\n");
        sb.append("dn: cn=urlattrs,").append(g).append("\nobjectClass: groupOfURLs\nobjectClass: postfixUser\ncn: urlattrs\n")
                .append("mailacceptinggeneralid: urlattrs@example.org\n")
                .append("memberURL: ldap:///").append(p).append("?mail?one?(uid=alice)\n")
                .append("memberURL: ldap:///").append(p).append("?cn?one?(uid=bob)\n\n");
        return sb.toString();
    }

    private static void user(StringBuilder sb, String ou, String uid, List<String> ids, List<String> drops, String mail, String extra) {
        sb.append("dn: uid=").append(uid).append(',').append(ou).append("\nobjectClass: inetOrgPerson\nobjectClass: postfixUser\n")
                .append("uid: ").append(uid).append("\ncn: ").append(uid).append("\nsn: ").append(uid).append('\n');
        for (String id : ids) sb.append("mailacceptinggeneralid: ").append(id).append('\n');
        for (String d : drops) sb.append("maildrop: ").append(d).append('\n');
        if (mail != null) sb.append("mail: ").append(mail).append('\n');
        if (extra != null) sb.append(extra);
        sb.append('\n');
    }

    private static void group(StringBuilder sb, String ou, String cn, String id, List<String> members, String extra) {
        sb.append("dn: cn=").append(cn).append(',').append(ou).append("\nobjectClass: groupOfNames\nobjectClass: postfixUser\ncn: ")
                .append(cn).append("\nmailacceptinggeneralid: ").append(id).append('\n');
        for (String m : members) sb.append("member: ").append(m).append('\n');
        sb.append(extra).append('\n');
    }

    /** The .cf files by name: bodies without server_host (added by {@link #write}). */
    static Map<String, String> definitions() {
        Map<String, String> m = new LinkedHashMap<>();
        String base = "search_base = " + Slapd.SUFFIX + "\n";
        // virtual_alias_maps as in LDAP_README: Postfix's defaults (LDAPv2, anonymous simple bind)
        m.put("aliases-v2.cf", base);
        m.put("aliases.cf", base + "version = 3\nbind = no\nquery_filter = (mailacceptinggeneralid=%s)\nresult_attribute = maildrop\n");
        m.put("bind.cf", base + "version = 3\nbind = yes\nbind_dn = " + READER_DN + "\nbind_pw = " + READER_PW
                + "\nquery_filter = (&(objectClass=inetOrgPerson)(mail=%s))\nresult_attribute = uid\nresult_format = %s/Maildir/\n");
        m.put("groups.cf", base + "version = 3\nquery_filter = (mailacceptinggeneralid=%s)\nresult_attribute = maildrop\n"
                + "special_result_attribute = member, memberURL\nleaf_result_attribute = mail\n");
        m.put("terminal.cf", base + "version = 3\nterminal_result_attribute = terminalDrop\nspecial_result_attribute = member\n"
                + "result_attribute = maildrop\n");
        m.put("domain.cf", base + "version = 3\ndomain = example.org, !other.example\nresult_attribute = maildrop mail\n");
        m.put("sizelimit.cf", base + "version = 3\nsize_limit = 3\n");
        m.put("expansion.cf", base + "version = 3\nexpansion_limit = 2\nspecial_result_attribute = member\n");
        m.put("dynbase.cf", "search_base = ou=%d, " + Slapd.SUFFIX + "\nscope = one\nversion = 3\nquery_filter = (uid=%u)\n");
        m.put("format.cf", base + "version = 3\nquery_filter = (|(mail=%s)(mailacceptinggeneralid=%s))\nresult_attribute = maildrop\n"
                + "result_format = smtp:[%d] for %u via %1 (%S/%U/%D)\n");
        m.put("recursion.cf", base + "version = 3\nrecursion_limit = 3\nspecial_result_attribute = member memberURL\n");
        m.put("subtype.cf", base + "version = 3\nresult_attribute = MailDrop;lang-de, CN\n");
        m.put("scope-base.cf", "search_base = uid=%u, ou=people, " + Slapd.SUFFIX + "\nscope = base\nversion = 3\n"
                + "query_filter = (objectClass=*)\nresult_attribute = mailacceptinggeneralid\n");
        m.put("sender-login.cf", base + "version = 3\nbind_dn = " + READER_DN + "\nbind_pw = " + READER_PW
                + "\nquery_filter = (|(mail=%s)(mailacceptinggeneralid=%s))\nresult_attribute = uid, mail\n");
        m.put("nobase.cf", "search_base = ou=nowhere, " + Slapd.SUFFIX + "\nversion = 3\n");
        m.put("wrongpw.cf", base + "version = 3\nbind_dn = " + READER_DN + "\nbind_pw = not-the-password\n");
        return m;
    }

    /** Lookup keys for every definition. */
    static final List<String> KEYS = List.of("alice@example.org", "ALICE@Example.ORG", "alias@example.org", "bob@example.org",
            "j\u00fcrgen@example.org", "star*user@example.org", "*@example.org", "*", "paren(x)@example.org", "paren\\28x\\29@example.org",
            "back\\slash@example.org", "a,b@example.org", "carol@example.org", "sales@example.org", "staff@example.org",
            "admins@example.org", "everyone@example.org", "urlattrs@example.org", "loop@example.org", "dave@example.org",
            "nobody@example.org", "alice", "@example.org", "example.org", "alice@other.example", "dave@example.org.",
            "x@sub.example.org", "bob", "dave");

    /** Writes the definitions into {@code dir} (readable by Postfix's proxymap, which runs as postfix). */
    static void write(Path dir, String serverHost) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (var e : definitions().entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.writeString(f, "server_host = " + serverHost + "\n" + e.getValue());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
