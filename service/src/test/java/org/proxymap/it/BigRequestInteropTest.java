package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proxymap.config.Setting;
import org.proxymap.table.file.Postmap;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;

/**
 * header_checks keys are whole headers, up to Postfix's header_size_limit (102400 bytes by
 * default): cleanup sends them through proxy:regexp: as one attribute. Real proxymap reads a
 * string of any length (attr_scan0 has no bound), so with the default settings ours must
 * answer such a key exactly as the real one does.
 */
class BigRequestInteropTest {
    static final String RULES = "/^Subject: (x{10})x*SPAM$/ REJECT $1\n/^Subject:/ OK\n";

    @Test
    void aHeaderOfHeaderSizeLimitThroughProxyRegexpAnswersAsRealProxymap() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:regexp:${config_directory}/header_checks");
        Path table = dir.resolve("etc/header_checks");
        Files.writeString(table, RULES);
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        for (Path p : new Path[] {dir, dir.resolve("etc")}) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String spam = "Subject: " + "x".repeat(102400 - 13) + "SPAM"; // 102400 bytes
        String ham = "Subject: " + "y".repeat(102400 - 9);
        List<String> keys = List.of(spam, ham, "Subject: short");
        try (TestServer s = TestServer.start(dir);
                PostfixReference real = PostfixReference.start(
                        "smtputf8_enable = no\nproxy_read_maps = proxy:regexp:" + table + "\n")) {
            for (String key : keys) {
                // as an argument: postmap -q - reads keys as lines of limited length
                Postmap.Result theirs = Postmap.at(real.etc).run("", "-q", key, "proxy:regexp:" + table);
                Postmap.Result ours = Postmap.at(s.etc).run("", "-q", key, "proxy:regexp:" + table);
                assertEquals(theirs.stdout(), ours.stdout(), "key of " + key.length() + " bytes: " + ours.stderr());
                assertEquals(theirs.exit(), ours.exit(), ours.stderr());
                System.out.printf("key of %d bytes: real proxymap %s, ours %s%n", key.length(),
                        theirs.stdout().isEmpty() ? "not found (exit " + theirs.exit() + ")" : theirs.stdout().strip(),
                        ours.stdout().isEmpty() ? "not found (exit " + ours.exit() + ")" : ours.stdout().strip());
            }
            assertEquals("REJECT xxxxxxxxxx\n", Postmap.at(s.etc).run("", "-q", spam, "proxy:regexp:" + table).stdout());
        }
        assertTrue(Integer.parseInt(Setting.MAX_ATTRIBUTE_SIZE.defaultValue()) > 102400 + 1024,
                "the default admits header_size_limit's default and the request around it");
    }
}
