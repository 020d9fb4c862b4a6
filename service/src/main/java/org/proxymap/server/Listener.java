package org.proxymap.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * One listening UNIX socket ({@code private/proxymap} or {@code private/proxywrite}).
 * Binding replaces a stale socket file but refuses to take over one that another server
 * still answers on. A socket passed by systemd is served as it is, and its file is left alone.
 */
final class Listener implements AutoCloseable {
    private final Path path;
    private final boolean writeService;
    private final String serviceName;
    private final ServerSocketChannel channel;
    /** the socket file this listener created (its file key), removed on close only while still that file; null: not ours */
    private final Object createdFile;

    private Listener(Path path, boolean writeService, String serviceName, ServerSocketChannel channel, Object createdFile) {
        this.path = path;
        this.writeService = writeService;
        this.serviceName = serviceName;
        this.channel = channel;
        this.createdFile = createdFile;
    }

    /** A socket systemd passed (socket activation), already listening on {@code path}. */
    static Listener inherited(Path path, boolean writeService, String serviceName, ServerSocketChannel channel) {
        return new Listener(path, writeService, serviceName, channel, null);
    }

    boolean isInherited() { return createdFile == null; }

    static Listener bind(Path path, boolean writeService, String serviceName, int backlog, int mode) throws IOException {
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
        }
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            try (SocketChannel probe = SocketChannel.open(address)) {
                throw new IOException("another server is already answering on " + path
                        + "; stop it (or Postfix's own " + serviceName + " service in master.cf) first");
            } catch (ConnectException stale) {
                Files.delete(path); // nobody listens: left behind by a crash
            }
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Object created;
        try {
            ch.bind(address, backlog);
            Files.setPosixFilePermissions(path, permissions(mode));
            created = fileKey(path);
        } catch (IOException e) {
            ch.close();
            throw new IOException("bind " + path + ": " + e.getMessage()
                    + " (the directory must exist and be writable by the user the service runs as)", e);
        }
        return new Listener(path, writeService, serviceName, ch, created);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) if ((mode & (1 << i)) != 0) p.add(bits[i]);
        return p;
    }

    SocketChannel accept() throws IOException { return channel.accept(); }

    Path path() { return path; }
    boolean writeService() { return writeService; }
    String serviceName() { return serviceName; }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /**
     * Stops accepting and removes the socket file when this listener created it and it is still
     * that file (a socket unit started meanwhile may have put its own there).
     */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a listener cannot fail in a way we could act on
        }
        if (createdFile == null) return;
        try {
            if (createdFile.equals(fileKey(path))) Files.delete(path);
        } catch (IOException ignored) {
            // gone already, or the directory is not ours to write any more (after the privilege drop)
        }
    }
}
