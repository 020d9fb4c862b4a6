package org.proxymap.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.proxymap.poll.BusyPoll;

/**
 * A proxymap look-alike that does no work: the same hello and framing, and one fixed reply
 * ({@code status 0, value "null"}) to every request. Each connection is served by a
 * platform thread that waits for requests as ours does ({@link BusyPoll}, 50 µs, polling
 * while at most half the cores' number of connections are open), the cheapest way to answer
 * over a UNIX socket, so its throughput is the machine's socket round-trip limit for a
 * given load generator.
 *
 * <pre>nullserver --socket PATH [--no-hello] [--busy-poll MICROSECONDS]</pre>
 */
public final class NullServer implements AutoCloseable {
    static final byte[] HELLO = "protocol\0proxymap_protocol\0\0".getBytes(StandardCharsets.ISO_8859_1);
    static final byte[] REPLY = ("status\0" + "0\0value\0null\0\0").getBytes(StandardCharsets.ISO_8859_1);

    private final Path path;
    private final ServerSocketChannel listener;
    private final boolean hello;
    private final Thread acceptor;
    private final BusyPoll busyPoll;
    private final AtomicInteger open = new AtomicInteger();

    public NullServer(Path path, boolean hello, int busyPollMicros) throws IOException {
        this.path = path;
        this.hello = hello;
        this.busyPoll = BusyPoll.forCores(busyPollMicros);
        Files.deleteIfExists(path);
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(path), 4096);
        acceptor = Thread.ofPlatform().name("null-accept").start(this::acceptLoop);
    }

    public static void main(String[] args) throws Exception {
        Path socket = null;
        boolean hello = true;
        int busyPoll = 50;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--socket" -> socket = Path.of(args[++i]);
                case "--no-hello" -> hello = false;
                case "--busy-poll" -> busyPoll = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("nullserver: unknown option " + args[i]
                            + "; usage: nullserver --socket PATH [--no-hello] [--busy-poll MICROSECONDS]");
                    System.exit(2);
                }
            }
        }
        if (socket == null) {
            System.err.println("nullserver: --socket PATH is required");
            System.exit(2);
        }
        NullServer s = new NullServer(socket, hello, busyPoll);
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        System.err.println("nullserver: listening on " + socket);
        s.acceptor.join();
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            busyPoll.activeConnections(open.incrementAndGet());
            Thread.ofPlatform().daemon().name("null-conn").start(() -> {
                try {
                    serve(ch);
                } finally {
                    busyPoll.activeConnections(open.decrementAndGet());
                }
            });
        }
    }

    private void serve(SocketChannel sc) {
        ByteChannel ch = busyPoll.wrap(sc);
        ByteBuffer in = ByteBuffer.allocateDirect(65536);
        ByteBuffer hi = ByteBuffer.allocateDirect(HELLO.length).put(HELLO);
        ByteBuffer reply = ByteBuffer.allocateDirect(REPLY.length).put(REPLY);
        try (ch) {
            if (hello) write(ch, hi.flip());
            boolean isName = true;
            int start = 0; // index where the current string began, relative to the buffer
            while (true) {
                in.clear();
                if (ch.read(in) < 0) return;
                int lim = in.position();
                // the request ends at an empty name; strings may span reads, only the parity matters
                for (int i = 0; i < lim; i++) {
                    if (in.get(i) != 0) continue;
                    if (isName && i == start) {
                        write(ch, reply.rewind());
                        isName = true;
                    } else {
                        isName = !isName;
                    }
                    start = i + 1;
                }
                start = start < lim ? -1 : 0; // -1: a string continues into the next read
            }
        } catch (IOException e) {
            // client gone
        }
    }

    private static void write(ByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    @Override
    public void close() {
        try {
            listener.close();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // shutting down
        }
    }
}
