package org.proxymap.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default fingerprint of a file-named table: its content's digest, read without holding the file in memory. */
class FileFingerprintTest {
    @TempDir
    Path dir;

    @Test
    void digestsTheContentInSmallReads() throws Exception {
        Path big = dir.resolve("big");
        byte[] content = new byte[8 << 20];
        for (int i = 0; i < content.length; i++) content[i] = (byte) ('a' + i % 26);
        Files.write(big, content);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        content = null;
        assertEquals(expected, TableType.fileFingerprint(big.toString())); // warm: classes, the digest provider

        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertEquals(expected, TableType.fileFingerprint(big.toString()));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // at every start and reload, per approved table: a file-sized array here stayed in the old
        // generation (and a file-sized direct buffer in the JDK's per-thread cache)
        assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes to digest an 8 MB file");
    }

    @Test
    void absentAndNotAFile() {
        assertEquals("absent", TableType.fileFingerprint(dir.resolve("nothing").toString()));
        assertEquals("", TableType.fileFingerprint("relative/name"));
        assertEquals("", TableType.fileFingerprint(null));
    }
}
