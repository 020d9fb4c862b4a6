package org.proxymap.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.proxymap.config.ServiceConfig;
import org.proxymap.daemon.Reloader;
import org.proxymap.server.ProxymapServer;
import org.proxymap.table.TableRegistry;

/**
 * A real server on a throwaway configuration directory: {@code dir/etc/main.cf} (plus any
 * files the test writes there) and {@code dir/queue/private/{proxymap,proxywrite}}.
 * Keep {@code dir} short (e.g. under /tmp): UNIX socket paths are limited to 107 bytes.
 */
public final class TestServer implements AutoCloseable {
    public final Path dir;
    public final Path etc;
    public final ProxymapServer server;
    public final Reloader reloader;
    private boolean ownsDirectory;

    private TestServer(Path dir, ProxymapServer server) {
        this.dir = dir;
        this.etc = dir.resolve("etc");
        this.server = server;
        this.reloader = new Reloader(etc, server);
    }

    /** Makes a fresh directory under /tmp with etc/main.cf = {@code mainCf} + queue_directory. */
    public static Path newConfig(String mainCf) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pm");
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/main.cf"), mainCf + "\nqueue_directory = " + dir.resolve("queue") + "\n");
        return dir;
    }

    /** Starts on a fresh directory that {@link #close()} removes again. */
    public static TestServer start(String mainCf) throws Exception {
        TestServer s = start(newConfig(mainCf));
        s.ownsDirectory = true;
        return s;
    }

    /** Starts on an existing directory made by {@link #newConfig}. */
    public static TestServer start(Path dir) throws Exception {
        return start(dir, java.util.List.of());
    }

    /** As {@link #start(Path)}, with {@code types} in place of the installed types of the same names (e.g. shorter time limits). */
    public static TestServer start(Path dir, java.util.List<org.proxymap.table.TableType> types) throws Exception {
        ServiceConfig config = ServiceConfig.load(dir.resolve("etc"));
        java.util.Map<String, org.proxymap.table.TableType> all = new java.util.HashMap<>();
        for (var t : java.util.ServiceLoader.load(org.proxymap.table.TableType.class)) all.put(t.name(), t);
        for (var t : types) all.put(t.name(), t);
        ProxymapServer s = new ProxymapServer(config, new TableRegistry(all, config.parameters()));
        s.bind();
        s.start();
        return new TestServer(dir, s);
    }

    public Path socket(boolean write) { return server.state().config().socketPath(write); }

    public Path proxymap() { return socket(false); }

    public Path proxywrite() { return socket(true); }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(2));
        server.close();
        server.registry().close();
        if (ownsDirectory) Trees.delete(dir);
    }
}
