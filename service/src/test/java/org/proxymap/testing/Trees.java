package org.proxymap.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes a test's directory tree (sockets included); problems are reported, never thrown. */
public final class Trees {
    private Trees() {}

    public static void delete(Path dir) {
        // a process of the test (a socket's owner) may still remove files while this walks: try again
        for (int attempt = 1; dir != null && Files.exists(dir); attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException | UncheckedIOException e) {
                if (attempt == 3) {
                    System.err.println("could not remove " + dir + ": " + e);
                    return;
                }
            }
        }
    }
}
