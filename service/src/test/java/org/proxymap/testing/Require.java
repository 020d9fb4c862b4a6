package org.proxymap.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Integration tests use real components (Postfix, MariaDB, jsvc). When one is missing, the
 * test is skipped on a developer's machine but FAILS under {@code CI=true}: a green CI must
 * never hide a missing install step (scripts/install-deps installs them).
 */
public final class Require {
    private Require() {}

    public static boolean ci() { return "true".equals(System.getenv("CI")); }

    public static void that(boolean present, String what) {
        String message = what + " is missing; scripts/install-deps installs it (run scripts/test)";
        if (ci()) Assertions.assertTrue(present, message);
        else Assumptions.assumeTrue(present, message);
    }

    /** An executable at this absolute path, e.g. /usr/sbin/postmap. */
    public static Path executable(String path) {
        Path p = Path.of(path);
        that(Files.isExecutable(p), path);
        return p;
    }

    public static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }
}
