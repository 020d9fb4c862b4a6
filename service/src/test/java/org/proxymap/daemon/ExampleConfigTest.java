package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.proxymap.config.ServiceConfig;
import org.proxymap.config.Setting;
import org.proxymap.testing.TestServer;

/** etc/proxymap.cf, the example that scripts/install puts into /etc/postfix, stays true to the code. */
class ExampleConfigTest {
    @Test
    void everyCommentedSettingExistsWithItsRealDefaultAndLoadsWithoutWarnings() throws Exception {
        String example = Files.readString(DaemonProcess.projectDir().resolve("etc/proxymap.cf"));
        Matcher m = Pattern.compile("(?m)^#(proxymap_\\w+) = (.*)$").matcher(example);
        int n = 0;
        while (m.find()) {
            Setting s = Setting.byKey(m.group(1));
            assertNotNull(s, "etc/proxymap.cf documents an unknown setting " + m.group(1));
            assertEquals(s.defaultValue(), m.group(2), "default of " + m.group(1) + " in etc/proxymap.cf");
            n++;
        }
        assertTrue(n >= 10, "settings found in etc/proxymap.cf: " + n);

        // uncommented, as an administrator would: loads with no warnings
        Path dir = TestServer.newConfig("");
        Files.writeString(dir.resolve("etc/proxymap.cf"), example.replaceAll("(?m)^#(proxymap_\\w+ = )", "$1"));
        ServiceConfig c = ServiceConfig.load(dir.resolve("etc"));
        assertEquals(java.util.List.of(), c.warnings());
        assertEquals(java.time.Duration.ofSeconds(10), c.shutdownGrace);
    }
}
