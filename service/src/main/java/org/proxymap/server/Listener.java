package org.proxymap.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * One listening UNIX socket ({@code private/proxymap} or {@code private/proxywrite}).
 * Binding replaces a stale socket file but refuses to take over one that another server
 * still answers on.
 */
final class Listener implements AutoCloseable {
    private final Path path;
    private final boolean writeService;
    private final String serviceName;
    private final ServerSocketChannel channel;

    private Listener(Path path, boolean writeService, String serviceName, ServerSocketChannel channel) {
        this.path = path;
        this.writeService = writeService;
        this.serviceName = serviceName;
        this.channel = channel;
    }

    static Listener bind(Path path, boolean writeService, String serviceName, int backlog, int mode) throws IOException {
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE)));
        }
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (SocketChannel probe = SocketChannel.open(address)) {
                throw new IOException("another server is already answering on " + path
                        + "; stop it (or Postfix's own " + serviceName + " service in master.cf) first");
            } catch (ConnectException stale) {
                Files.delete(path); // nobody listens: left behind by a crash
            }
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(address, backlog);
            Files.setPosixFilePermissions(path, permissions(mode));
        } catch (IOException e) {
            ch.close();
            throw new IOException("bind " + path + ": " + e.getMessage()
                    + " (the directory must exist and be writable by the user the service runs as)", e);
        }
        return new Listener(path, writeService, serviceName, ch);
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

    /** Stops accepting and removes the socket file. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a listener cannot fail in a way we could act on
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the directory may not be ours to write any more (after the privilege drop)
        }
    }
}
