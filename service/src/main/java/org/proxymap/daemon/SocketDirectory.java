package org.proxymap.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.proxymap.config.ConfigException;

/**
 * Checks, before binding, that the user the service runs as can create its sockets. Under
 * jsvc that user is {@code -user} (init() already runs as it, without CAP_DAC_OVERRIDE), so
 * a root-owned {@code private/} fails; the message says which chown fixes it.
 */
final class SocketDirectory {
    private SocketDirectory() {}

    static void checkWritable(Path socket) throws ConfigException {
        Path dir = socket.toAbsolutePath().getParent();
        Path existing = dir;
        while (existing != null && !Files.isDirectory(existing)) existing = existing.getParent();
        if (existing == null || Files.isWritable(existing)) return;
        String user = System.getProperty("user.name");
        throw new ConfigException(existing + " (" + describe(existing) + ") is not writable by " + user
                + ", the user this service runs as, so it cannot create " + socket
                + "; fix: chown " + user + " " + existing + " (Postfix's layout: private/ owned by the"
                + " mail_owner, mode 0700), or run the service as the directory's owner (jsvc -user, systemd User=)");
    }

    private static String describe(Path dir) {
        try {
            return "owner " + Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName() + ", mode "
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return "owner unknown";
        }
    }
}
