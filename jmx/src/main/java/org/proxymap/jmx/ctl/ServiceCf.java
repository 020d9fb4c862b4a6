package org.proxymap.jmx.ctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of main.cf syntax for proxymapctl -c DIR: the proxymap_jmx_* settings from
 * DIR/proxymap.cf, then DIR/main.cf; $config_directory is expanded to DIR.
 */
final class ServiceCf {
    private ServiceCf() {}

    static Map<String, String> read(Path dir) throws ProxymapCtl.Failure {
        if (!Files.isDirectory(dir)) {
            throw new ProxymapCtl.Failure(ProxymapCtl.USAGE, "-c " + dir + ": not a directory (give Postfix's configuration directory)");
        }
        Map<String, String> m = new HashMap<>();
        parse(dir.resolve("main.cf"), m);
        parse(dir.resolve("proxymap.cf"), m); // proxymap.cf wins, as in the service
        m.replaceAll((k, v) -> v.replace("${config_directory}", dir.toString()).replace("$config_directory", dir.toString()));
        for (var e : m.entrySet()) {
            if (e.getKey().startsWith("proxymap_jmx_") && e.getValue().contains("$")) {
                throw new ProxymapCtl.Failure(ProxymapCtl.USAGE, e.getKey() + " = " + e.getValue()
                        + ": proxymapctl expands only $config_directory; use --jmx HOST:PORT --password-file FILE");
            }
        }
        return m;
    }

    private static void parse(Path file, Map<String, String> into) throws ProxymapCtl.Failure {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new ProxymapCtl.Failure(ProxymapCtl.USAGE, file + ": cannot read: " + e.getMessage());
        }
        String name = null;
        StringBuilder value = null;
        for (String line : lines) {
            if (line.isBlank() || line.strip().startsWith("#")) continue;
            if (Character.isWhitespace(line.charAt(0))) {
                if (value != null) value.append(' ').append(line.strip());
                continue;
            }
            if (name != null) into.put(name, value.toString().strip());
            int eq = line.indexOf('=');
            if (eq < 0) {
                name = null;
                value = null;
                continue;
            }
            name = line.substring(0, eq).strip();
            value = new StringBuilder(line.substring(eq + 1).strip());
        }
        if (name != null) into.put(name, value.toString().strip());
    }
}
