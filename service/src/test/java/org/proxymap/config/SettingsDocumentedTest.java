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
            String def = s.defaultValue().replaceAll("\\$\\{([A-Za-z0-9_]+)\\}", "\\$$1"); // ${x} is written $x
            String row = readme.lines().filter(l -> l.startsWith("| `" + s.key() + "` |")).findFirst().orElse("");
            assertTrue(row.replace("`", "").contains("| " + def + " |"), "README.md table lacks " + s.key() + " with default " + def);
            assertTrue(daemon.contains(" *   " + s.key() + " = " + def + " "),
                    "ProxymapDaemon header lacks " + s.key() + " = " + def);
        }
    }
}
