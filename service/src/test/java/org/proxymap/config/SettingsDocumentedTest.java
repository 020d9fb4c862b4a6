package org.proxymap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README Settings table and the daemon class's header cannot drift from {@link Setting}:
 * every setting has its row (default and meaning as declared) and its header line, and the
 * table has no row for a setting the code does not declare.
 */
class SettingsDocumentedTest {
    private static String readme() throws Exception { return Files.readString(Path.of("../README.md")); }

    /** The README's row of {@code key}, split into its three cells, or null. */
    private static List<String> row(String readme, String key) {
        return readme.lines().filter(l -> l.startsWith("| `" + key + "` |")).findFirst()
                .map(l -> List.of(l.substring(2, l.length() - 2).split(" \\| ", 3))).orElse(null);
    }

    private static String documentedDefault(Setting s) {
        return s.defaultValue().replaceAll("\\$\\{([A-Za-z0-9_]+)\\}", "\\$$1"); // ${x} is written $x
    }

    @Test
    void everySettingHasItsReadmeRowAsDeclared() throws Exception {
        String readme = readme();
        for (Setting s : Setting.values()) {
            List<String> cells = row(readme, s.key());
            String expected = "| `" + s.key() + "` | " + documentedDefault(s) + " | " + s.description() + " |";
            assertNotNull(cells, "README.md Settings table lacks " + s.key() + "; add: " + expected);
            assertEquals(documentedDefault(s), cells.get(1).replace("`", ""), "README.md default of " + s.key());
            assertEquals(s.description(), cells.get(2), "README.md meaning of " + s.key() + " differs from Setting."
                    + s.name() + "'s description");
        }
    }

    @Test
    void theReadmeTableHasNoRowForAnUndeclaredSetting() throws Exception {
        readme().lines().filter(l -> l.startsWith("| `proxymap_")).forEach(l -> {
            String key = l.substring(3, l.indexOf('`', 3));
            assertNotNull(Setting.byKey(key), "README.md documents " + key + ", which org.proxymap.config.Setting does not declare");
        });
    }

    @Test
    void everySettingIsInTheDaemonsManualPage() throws Exception {
        String daemon = Files.readString(Path.of("src/main/java/org/proxymap/daemon/ProxymapDaemon.java"));
        for (Setting s : Setting.values()) {
            assertTrue(daemon.contains(" *   " + s.key() + " = " + documentedDefault(s) + " "),
                    "ProxymapDaemon header lacks " + s.key() + " = " + documentedDefault(s));
        }
    }

    @Test
    void everyDefaultParses() {
        for (Setting s : Setting.values()) {
            if (!s.defaultValue().contains("$")) assertNotNull(s.parse(s.defaultValue()), s.key());
        }
    }
}
