package org.proxymap.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on a free loopback port that misbehaves as a broken or hostile table server
 * would: it reads what it is sent and never answers, answers garbage, or answers 10 MB.
 * Counts connections, so a test can see retries.
 */
public final class HostileServer implements AutoCloseable {
    public enum Mode {
        /** accepts, reads, never answers */
        SILENT,
        /** answers every request line with a line of garbage */
        GARBAGE,
        /** answers a memcache-style VALUE of 10 MB, and sends it */
        HUGE_VALUE,
        /** answers 10 MB without a line end */
        HUGE_LINE,
        /** closes every connection at once */
        CLOSE
    }

    public static final int TEN_MB = 10 * 1024 * 1024;
    private final ServerSocket server;
    private final Mode mode;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    public final AtomicInteger connections = new AtomicInteger();

    public HostileServer(Mode mode) throws IOException {
        this.mode = mode;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    public int port() { return server.getLocalPort(); }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                sockets.add(s);
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            var in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (mode == Mode.CLOSE) return;
            byte[] buf = new byte[8192];
            while (true) {
                int n = in.read(buf);
                if (n < 0) return;
                switch (mode) {
                    case SILENT -> { }
                    case GARBAGE -> out.write("\u0001\u0002 WHAT? 12 34\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    case HUGE_VALUE -> {
                        out.write(("VALUE key 0 " + TEN_MB + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(new byte[TEN_MB]);
                        out.write("\r\nEND\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    case HUGE_LINE -> out.write(new byte[TEN_MB]);
                    default -> { }
                }
                out.flush();
            }
        } catch (IOException e) {
            // the client gave up: expected
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) s.close();
    }
}
