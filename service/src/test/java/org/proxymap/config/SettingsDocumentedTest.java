package org.proxymap.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every setting, with its default, is in the README table and in the daemon class's header. */
class SettingsDocumentedTest {
    @Test
    void everySettingIsDocumented() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String daemon = Files.readString(Path.of("src/main/java/org/proxymap/daemon/ProxymapDaemon.java"));
        for (Setting s : Setting.values()) {
            assertTrue(readme.contains("| `" + s.key() + "` | " + s.defaultValue() + " |"), "README.md table lacks " + s.key());
            assertTrue(daemon.matches("(?s).*\\*   " + s.key() + " = " + s.defaultValue() + " .*"),
                    "ProxymapDaemon header lacks " + s.key() + " = " + s.defaultValue());
        }
    }
}
