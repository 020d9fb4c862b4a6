package org.proxymap.table.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.DictFlags;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.testing.SocketTableServer;

class SocketmapTypeTest {
    private static final SocketmapType.Limits SHORT = new SocketmapType.Limits(Duration.ofMillis(500), 100_000,
            Duration.ofSeconds(10), Duration.ofSeconds(100));
    private final SharedResources resources = new SharedResources();
    private final OpenContext context = new OpenContext(false, 0, n -> null, resources);
    private SocketTableServer server;

    /** name key -> reply, as a small socketmap server would answer. */
    static String answer(String request) {
        int sp = request.indexOf(' ');
        String name = request.substring(0, sp);
        String key = request.substring(sp + 1);
        if (!name.equals("users")) return "PERM unknown map " + name;
        return switch (key) {
            case "alice" -> "OK alice@example.net";
            case "spaces" -> "OK  two  spaces ";
            case "empty" -> "OK ";
            case "bare" -> "OK";
            case "nul" -> "OK before\0after";
            case "temp" -> "TEMP try later";
            case "timeout" -> "TIMEOUT slow backend";
            case "perm" -> "PERM broken";
            case "odd" -> "WHAT is this";
            default -> key.startsWith("echo:") ? "OK " + key.substring(5) : "NOTFOUND ";
        };
    }

    @BeforeEach
    void start() throws Exception {
        server = SocketTableServer.inet(null);
        server.handler(server.socketmap(SocketmapTypeTest::answer));
    }

    @AfterEach
    void stop() {
        server.close();
        resources.close();
    }

    private LookupTable open(String map) throws TableOpenException {
        return new SocketmapType(SHORT).open(server.service() + ":" + map, context);
    }

    private static int status(LookupTable t, String key) {
        TableException e = assertThrows(TableException.class, () -> t.lookup(key));
        return e.status();
    }

    @Test
    void repliesMapAsPostfixMapsThem() throws Exception {
        try (LookupTable t = open("users")) {
            assertEquals(DictFlags.PATTERN, t.implFlags());
            assertEquals("alice@example.net", t.lookup("alice"));
            assertEquals(" two  spaces ", t.lookup("spaces"));
            assertEquals("", t.lookup("empty"));
            assertNull(t.lookup("bare"));
            assertEquals("before", t.lookup("nul"));
            assertNull(t.lookup("nobody"));
            assertEquals("Ab\u00e9 c", t.lookup("echo:Ab\u00e9 c"));
            assertEquals(Status.RETRY, status(t, "temp"));
            assertEquals(Status.RETRY, status(t, "timeout"));
            assertEquals(Status.CONFIG, status(t, "perm"));
            assertEquals(Status.RETRY, status(t, "odd"));
            assertEquals(1, server.accepted.get(), "one connection, reused");
        }
        try (LookupTable t = open("nosuch")) {
            assertEquals(Status.CONFIG, status(t, "alice"));
        }
    }

    @Test
    void tablesNamingTheSameServerShareItsConnections() throws Exception {
        try (LookupTable a = open("users"); LookupTable b = open("other")) {
            a.lookup("alice");
            status(b, "alice");
            a.lookup("alice");
            assertEquals(1, server.accepted.get());
        }
        assertTrue(resources.snapshot().isEmpty(), "the last table closes the shared pool");
    }

    @Test
    void aConnectionTheServerClosedIsRetriedOnceOnANewOne() throws Exception {
        try (LookupTable t = open("users")) {
            assertEquals("alice@example.net", t.lookup("alice"));
            server.dropConnections();
            assertEquals("alice@example.net", t.lookup("alice"));
            assertEquals(2, server.accepted.get());
        }
        // a server that closes every connection on the first request: two tries, then RETRY
        server.handler(server.socketmap(q -> null));
        try (LookupTable t = open("users")) {
            int before = server.accepted.get();
            assertEquals(Status.RETRY, status(t, "alice"));
            assertEquals(before + 2, server.accepted.get());
        }
    }

    @Test
    void aServerThatIsDownOrHostileGetsRetryWithinTheTimeLimit() throws Exception {
        String service = server.service();
        server.close();
        try (LookupTable t = new SocketmapType(SHORT).open(service + ":users", context)) {
            assertEquals(Status.RETRY, status(t, "alice"));
        }
        for (var h : List.of(SocketTableServer.silent(), SocketTableServer.raw("garbage\r\n".getBytes()),
                SocketTableServer.raw(SocketTableServer.netstring("OK " + "x".repeat(10 << 20))),
                SocketTableServer.raw("99999999999999999999:".getBytes()))) {
            try (SocketTableServer hostile = SocketTableServer.inet(h);
                 LookupTable t = new SocketmapType(SHORT).open(hostile.service() + ":users", context)) {
                long start = System.nanoTime();
                assertEquals(Status.RETRY, status(t, "alice"));
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 1500, "RETRY after " + ms + " ms; the limit is 500 ms");
            }
        }
    }

    @Test
    void postfixLimitsAreTheDefault() {
        assertEquals(new SocketmapType.Limits(Duration.ofSeconds(100), 100_000, Duration.ofSeconds(10), Duration.ofSeconds(100)),
                SocketmapType.Limits.POSTFIX);
    }

    @Test
    void aReplyUpToTheLimitIsAcceptedOneByteMoreIsNot() throws Exception {
        SocketmapType.Limits small = new SocketmapType.Limits(Duration.ofSeconds(2), 10, Duration.ofSeconds(10),
                Duration.ofSeconds(100));
        try (LookupTable t = new SocketmapType(small).open(server.service() + ":users", context)) {
            assertEquals("1234567", t.lookup("echo:1234567")); // "OK 1234567" = 10 bytes
            assertEquals(Status.RETRY, status(t, "echo:12345678"));
            assertEquals("1234567", t.lookup("echo:1234567"), "the connection after an error is a new one");
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        SocketmapType.Limits idle = new SocketmapType.Limits(Duration.ofSeconds(2), 100_000, Duration.ofMillis(100),
                Duration.ofSeconds(100));
        try (LookupTable t = new SocketmapType(idle).open(server.service() + ":users", context)) {
            t.lookup("alice");
            Thread.sleep(400);
            t.lookup("alice");
            assertEquals(2, server.accepted.get());
        }
    }

    @Test
    void unixSockets() throws Exception {
        Path dir = Files.createTempDirectory("smap");
        try (SocketTableServer unix = SocketTableServer.unix(dir.resolve("s"), null)) {
            unix.handler(unix.socketmap(SocketmapTypeTest::answer));
            try (LookupTable t = new SocketmapType(SHORT).open(unix.service() + ":users", context)) {
                assertEquals("alice@example.net", t.lookup("alice"));
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void definitionsAreCheckedWithAHint() {
        SocketmapType type = new SocketmapType(SHORT);
        assertEquals(List.of(), type.check("inet:127.0.0.1:1:users", context));
        assertEquals(List.of(), type.check("unix:/run/x:users", context));
        assertTrue(type.check("nocolon", context).get(0).contains("use socketmap:inet:host:port:name"));
        assertTrue(type.check("tcp:127.0.0.1:1:users", context).get(0).contains("invalid transport name: tcp"));
        assertTrue(type.check("inet:127.0.0.1:users", context).get(0).contains("unknown service: 127.0.0.1/tcp")
                || type.check("inet:127.0.0.1:users", context).get(0).contains("bad"), type.check("inet:127.0.0.1:users", context).toString());
        assertEquals(List.of(), type.probe(server.service() + ":users", context));
        String down = "inet:127.0.0.1:1:users";
        assertTrue(type.probe(down, context).get(0).startsWith("socketmap:" + down + ": cannot connect to inet:127.0.0.1:1: "),
                type.probe(down, context).toString());
        assertThrows(TableOpenException.class, () -> type.open("inet:127.0.0.1:1:users",
                new OpenContext(true, 0, n -> null, resources)));
    }
}
