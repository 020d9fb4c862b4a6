package org.proxymap.poll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Busy polling over a real UNIX socket pair: what a poll finds, when it blocks, and writes. */
class BusyPollTest {
    private Path dir;
    private SocketChannel server, client;

    @BeforeEach
    void pair() throws IOException {
        dir = Files.createTempDirectory("busypoll");
        var address = UnixDomainSocketAddress.of(dir.resolve("s"));
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            l.bind(address);
            client = SocketChannel.open(address);
            server = l.accept();
        }
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        server.close();
        Files.deleteIfExists(dir.resolve("s"));
        Files.delete(dir);
    }

    @Test
    void aRequestAlreadySentIsFoundByPollingAndTheSocketStaysNonBlocking() throws IOException {
        ByteChannel io = new BusyPoll(1_000_000, 1).wrap(server);
        client.write(ByteBuffer.wrap("abc".getBytes()));
        ByteBuffer in = ByteBuffer.allocate(16);
        assertEquals(3, io.read(in));
        assertFalse(server.isBlocking(), "the next poll needs no system call to switch modes");
    }

    @Test
    void aRequestLaterThanThePollIsReadBlocking() throws Exception {
        ByteChannel io = new BusyPoll(100, 1).wrap(server);
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try {
                return io.read(ByteBuffer.allocate(16));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        Thread.sleep(200); // far past the 100 µs poll: the reader now blocks
        assertFalse(read.isDone());
        assertTrue(server.isBlocking());
        client.write(ByteBuffer.wrap("late".getBytes()));
        assertEquals(4, read.get(5, TimeUnit.SECONDS));
    }

    @Test
    void noPollingWhileTooManyConnectionsAreActiveOrWhenTurnedOff() throws IOException {
        BusyPoll busy = new BusyPoll(1_000_000, 1);
        busy.activeConnections(2);
        client.write(ByteBuffer.wrap("x".getBytes()));
        assertEquals(1, busy.wrap(server).read(ByteBuffer.allocate(4)));
        assertTrue(server.isBlocking(), "2 active connections > 1: read blocking");
        client.write(ByteBuffer.wrap("y".getBytes()));
        assertEquals(1, new BusyPoll(0, 1).wrap(server).read(ByteBuffer.allocate(4)));
        assertTrue(server.isBlocking(), "0 µs: never polls");
        client.write(ByteBuffer.wrap("z".getBytes()));
        assertEquals(1, new BusyPoll(50, 0).wrap(server).read(ByteBuffer.allocate(4)));
        assertTrue(server.isBlocking(), "no polling slot (a single core): never polls");
    }

    @Test
    void aWriteLargerThanTheSocketBufferCompletesAfterPolling() throws Exception {
        ByteChannel io = new BusyPoll(1_000_000, 1).wrap(server);
        client.write(ByteBuffer.wrap("q".getBytes()));
        io.read(ByteBuffer.allocate(4)); // leaves the socket non-blocking
        byte[] big = new byte[4 << 20];
        for (int i = 0; i < big.length; i++) big[i] = (byte) i;
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            ByteBuffer all = ByteBuffer.allocate(big.length);
            try {
                while (all.hasRemaining()) {
                    Thread.sleep(1); // a slow reader: the server's writes fill the socket buffer
                    client.read(all);
                }
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
            return all.array();
        }, r -> Thread.ofPlatform().start(r));
        ByteBuffer out = ByteBuffer.wrap(big);
        while (out.hasRemaining()) assertTrue(io.write(out) > 0, "a write never returns empty-handed");
        assertTrue(server.isBlocking(), "a partial write switched back to blocking");
        assertArrayEquals(big, received.get(30, TimeUnit.SECONDS));
    }
}
