package org.proxymap.management;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.proxymap.config.ConfigException;

/**
 * Reads the JMX password and access files, in the JDK's {@code jmxremote.password} and
 * {@code jmxremote.access} formats: one entry per line, {@code #} comments.
 * <pre>
 *   # password file (mode 0600)      # access file (mode 0644 at most)
 *   monitor  s3cret-one               monitor  readonly
 *   admin    s3cret-two               admin    readwrite
 *   ops      SALT HASH SHA3-512       ops      jvm-admin
 * </pre>
 * Both are read once, when the daemon initializes (under jsvc that is while it may still
 * read root-only files).
 */
final class UserFiles {
    private UserFiles() {}

    /** readonly reads; readwrite also operates this service's MBeans; jvm-admin also the JVM's own (HotSpot, JFR, ...). */
    enum Role {
        READONLY("readonly"), READWRITE("readwrite"), JVM_ADMIN("jvm-admin");

        final String word;

        Role(String word) { this.word = word; }

        boolean atLeast(Role r) { return ordinal() >= r.ordinal(); }
    }

    /**
     * One user's password: in clear, or salted and hashed as the JDK writes it ({@code user
     * SALT HASH ALGORITHM}, Base64, HASH = ALGORITHM(SALT || password), e.g. SHA3-512).
     */
    record Password(String algorithm, byte[] salt, byte[] hash) {
        static Password plain(String password) {
            byte[] salt = new byte[0];
            return new Password("SHA-256", salt, digest("SHA-256", salt, password));
        }

        /** Constant time in the password's content. */
        boolean matches(String password) {
            return MessageDigest.isEqual(hash, digest(algorithm, salt, password));
        }

        static byte[] digest(String algorithm, byte[] salt, String password) {
            try {
                MessageDigest d = MessageDigest.getInstance(algorithm);
                d.update(salt);
                return d.digest(password.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }

    static Map<String, Password> passwords(Path file, String setting) throws ConfigException {
        checkFile(file, setting, true);
        List<String> lines = read(file, setting);
        Map<String, Password> m = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = fields(lines.get(i));
            if (f == null) continue;
            String where = file + ", line " + (i + 1) + ": ";
            if (f.length == 2) {
                m.put(f[0], Password.plain(f[1]));
            } else if (f.length == 3 || f.length == 4) {
                String algorithm = f.length == 4 ? f[3] : "SHA3-512";
                try {
                    MessageDigest.getInstance(algorithm);
                    m.put(f[0], new Password(algorithm, Base64.getDecoder().decode(f[1]), Base64.getDecoder().decode(f[2])));
                } catch (NoSuchAlgorithmException | IllegalArgumentException e) {
                    throw new ConfigException(where + "expected 'user SALT HASH ALGORITHM' as the JDK writes hashed"
                            + " passwords (Base64, an algorithm such as SHA3-512): " + e.getMessage());
                }
            } else {
                throw new ConfigException(where + "expected 'user password' (the password without spaces) or the JDK's"
                        + " hashed form 'user SALT HASH ALGORITHM'");
            }
        }
        if (m.isEmpty()) throw new ConfigException(file + ": no users; add a line 'user password' (see " + setting + ")");
        return m;
    }

    /**
     * The file must be a regular file (no symbolic link) owned by root or by the service's
     * user, writable by its owner only, and, when it holds passwords, readable by its owner only:
     * otherwise another local user could read the passwords or give themselves a role.
     */
    static void checkFile(Path file, String setting, boolean secret) throws ConfigException {
        try {
            if (Files.isSymbolicLink(file)) {
                throw new ConfigException(file + ": is a symbolic link; " + setting + " must name the file itself");
            }
            if (!Files.exists(file)) return; // read() says how to fix that
            int owner = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (owner != 0 && owner != me) {
                throw new ConfigException(file + ": owned by uid " + owner + ", neither root nor the service's user (uid " + me
                        + "); chown root " + file);
            }
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new ConfigException(file + ": writable by group or others, who could change " + (secret ? "passwords" : "roles")
                        + ": chmod " + (secret ? "600 " : "644 ") + file);
            }
            if (secret && (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ))) {
                throw new ConfigException(file + ": readable by group or others; it holds passwords: chmod 600 " + file);
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: nothing to check
        }
    }

    static Map<String, Role> roles(Path file, String setting) throws ConfigException {
        checkFile(file, setting, false);
        List<String> lines = read(file, setting);
        Map<String, Role> m = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = fields(lines.get(i));
            if (f == null) continue;
            Role r = null;
            for (Role each : Role.values()) {
                if (f.length >= 2 && each.word.equals(f[1])) r = each;
            }
            if (r == null) {
                throw new ConfigException(file + ", line " + (i + 1)
                        + ": expected 'user readonly', 'user readwrite' or 'user jvm-admin'");
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
