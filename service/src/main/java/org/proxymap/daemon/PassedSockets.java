package org.proxymap.daemon;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ServiceConfig;
import org.proxymap.systemd.ListenFds;

/**
 * The sockets a socket unit (proxymap.socket) passed, matched to the two services by the path
 * they listen on: systemd names all sockets of one unit alike (FileDescriptorName=), so the name
 * cannot tell them apart, but the path also proves that the unit and main.cf agree.
 */
final class PassedSockets {
    private static final Logger log = LogManager.getLogger("proxymap");

    /** [proxymap, proxywrite]: a channel serving the passed socket, or null where the service creates its own. */
    private final ServerSocketChannel[] channels = new ServerSocketChannel[2];

    private PassedSockets() {}

    ServerSocketChannel proxymap() { return channels[0]; }

    ServerSocketChannel proxywrite() { return channels[1]; }

    /** True when systemd passed the socket for {@code path}: this process need not be able to create it. */
    static boolean covers(ListenFds.Passed passed, Path path) {
        return passed.sockets().stream().anyMatch(s -> sameFile(s.unixPath(), path));
    }

    /**
     * Adopts the passed sockets that listen on {@code config}'s paths and closes the others. A
     * socket named proxymap or proxywrite that listens elsewhere fails the start: clients would
     * not find the service where the socket unit keeps its sockets.
     */
    static PassedSockets adopt(ListenFds.Passed passed, ServiceConfig config) throws IOException {
        PassedSockets result = new PassedSockets();
        List<ListenFds.Socket> left = new ArrayList<>(passed.sockets());
        ListenFds.Socket[] mine = new ListenFds.Socket[2];
        try {
            for (int w = 0; w < 2; w++) {
                Path path = config.socketPath(w == 1);
                for (ListenFds.Socket s : left) if (sameFile(s.unixPath(), path)) mine[w] = s;
                left.remove(mine[w]);
            }
            for (ListenFds.Socket s : left) {
                if (s.name().equals("proxymap") || s.name().equals("proxywrite")) {
                    throw new IOException("systemd passed a socket named " + s.name() + " (fd " + s.fd() + ") listening on "
                            + s.unixPath() + ", but this configuration serves " + config.socketPath(false) + " and "
                            + config.socketPath(true) + " (queue_directory, proxymap_service_name, proxywrite_service_name):"
                            + " make ListenStream= of the socket unit (proxymap.socket) name these");
                }
            }
            for (int w = 0; w < 2; w++) {
                ListenFds.Socket s = mine[w];
                if (s == null) continue;
                mine[w] = null;
                try {
                    result.channels[w] = s.adopt();
                } catch (IOException e) {
                    s.close();
                    throw e;
                }
                log.info("{}: serving the socket systemd passed as fd {} ({})", config.socketPath(w == 1), s.fd(), s.name());
            }
            return result;
        } catch (IOException e) {
            for (ListenFds.Socket s : mine) if (s != null) s.close();
            for (ServerSocketChannel ch : result.channels) if (ch != null) ch.close();
            throw e;
        } finally {
            for (ListenFds.Socket s : left) {
                log.warn("systemd passed fd {} ({}, listening on {}), which serves neither service here; closed",
                        s.fd(), s.name(), s.unixPath());
                s.close();
            }
        }
    }

    private static boolean sameFile(Path bound, Path path) {
        if (bound == null) return false;
        if (bound.equals(path.toAbsolutePath().normalize())) return true;
        try {
            return Files.isSameFile(bound, path);
        } catch (IOException e) {
            return false;
        }
    }
}
