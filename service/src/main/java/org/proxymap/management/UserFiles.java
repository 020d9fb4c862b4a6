package org.proxymap.management;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.proxymap.config.ConfigException;

/**
 * Reads the JMX password and access files, in the JDK's {@code jmxremote.password} and
 * {@code jmxremote.access} formats: one entry per line, {@code #} comments.
 * <pre>
 *   # password file (mode 0600)      # access file
 *   monitor  s3cret-one               monitor  readonly
 *   admin    s3cret-two               admin    readwrite
 * </pre>
 * Both are read once, when the daemon initializes (under jsvc that is while it may still
 * read root-only files).
 */
final class UserFiles {
    private UserFiles() {}

    enum Role { READONLY, READWRITE }

    static Map<String, byte[]> passwords(Path file, String setting) throws ConfigException {
        List<String> lines = read(file, setting);
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                throw new ConfigException(file + ": readable by group or others; it holds passwords: chmod 600 " + file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
        Map<String, byte[]> m = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = fields(lines.get(i));
            if (f == null) continue;
            if (f.length != 2) {
                throw new ConfigException(file + ", line " + (i + 1) + ": expected 'user password' (the password without spaces)");
            }
            m.put(f[0], f[1].getBytes(StandardCharsets.UTF_8));
        }
        if (m.isEmpty()) throw new ConfigException(file + ": no users; add a line 'user password' (see " + setting + ")");
        return m;
    }

    static Map<String, Role> roles(Path file, String setting) throws ConfigException {
        List<String> lines = read(file, setting);
        Map<String, Role> m = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = fields(lines.get(i));
            if (f == null) continue;
            Role r = f.length >= 2 ? switch (f[1]) {
                case "readonly" -> Role.READONLY;
                case "readwrite" -> Role.READWRITE;
                default -> null;
            } : null;
            if (r == null) {
                throw new ConfigException(file + ", line " + (i + 1) + ": expected 'user readonly' or 'user readwrite'");
            }
            m.put(f[0], r);
        }
        return m;
    }

    private static List<String> read(Path file, String setting) throws ConfigException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": No such file or directory; create it or point " + setting
                    + " in proxymap.cf at it (or set proxymap_jmx_port = 0 to turn remote JMX off)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + "); it must be readable by the service user");
        }
    }

    private static String[] fields(String line) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) return null;
        return t.split("\\s+");
    }
}
