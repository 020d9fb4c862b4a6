package org.proxymap.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor's view of a file, against what java.nio reads by path. */
class OpenFileStatusTest {
    @TempDir
    Path dir;

    @Test
    void readsTheSameFieldsAsAStatOfThePath() throws Exception {
        Path f = Files.writeString(dir.resolve("t.db"), "12345");
        try (Flock.Held h = Flock.open(f, Flock.SHARED)) {
            OpenFileStatus.Status s = OpenFileStatus.of(h.fd());
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            assertEquals(5, s.size());
            assertEquals(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), s.mtimeNanos());
            assertEquals(Files.getAttribute(f, "unix:ino"), s.inode());
            assertEquals(((java.nio.file.attribute.FileTime) Files.getAttribute(f, "unix:ctime")).to(TimeUnit.NANOSECONDS), s.ctimeNanos());
            assertEquals(1, s.links());
            assertTrue(OpenFileStatus.of(h.fd()).unchangedSince(s));
        }
    }

    @Test
    void aWriteInPlaceAndAReplacementAreChanges() throws Exception {
        Path f = Files.writeString(dir.resolve("t.db"), "one");
        try (Flock.Held h = Flock.open(f, Flock.SHARED)) {
            OpenFileStatus.Status before = OpenFileStatus.of(h.fd());
            Files.writeString(f, "two", StandardOpenOption.APPEND); // postmap -i, or a rebuild in place
            OpenFileStatus.Status written = OpenFileStatus.of(h.fd());
            assertFalse(written.unchangedSince(before));
            Path fresh = Files.writeString(dir.resolve("new.db"), "onetwo");
            Files.move(fresh, f, StandardCopyOption.ATOMIC_MOVE); // another file under the name
            OpenFileStatus.Status replaced = OpenFileStatus.of(h.fd());
            assertEquals(0, replaced.links());
            assertEquals(written.size(), replaced.size(), "the descriptor still reads the old file");
            assertFalse(replaced.unchangedSince(written));
        }
    }
}
