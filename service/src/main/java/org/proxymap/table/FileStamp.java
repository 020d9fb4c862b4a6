package org.proxymap.table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * The identity of a file a table reads (inode, size, mtime): a change means postmap rebuilt
 * or replaced it, or someone edited it, and the table reads it again.
 */
public record FileStamp(String fileKey, long size, long mtimeNanos) {
    public static FileStamp of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileStamp(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
    }
}
