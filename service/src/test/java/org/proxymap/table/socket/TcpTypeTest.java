package org.proxymap.table.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class TcpTypeTest {
    private static final TcpType.Limits SHORT = new TcpType.Limits(Duration.ofMillis(300), 4096, 3, Duration.ofMillis(100));
    private final OpenContext context = new OpenContext(false, 0, n -> null, new SharedResources());
    private SocketTableServer server;
    private final List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** "get KEY" -> reply line. */
    String answer(String request) {
        seen.add(request);
        String key = request.substring(4);
        return switch (key) {
            case "alice" -> "200 alice%40example.net";
            case "lower" -> "200 a%2cb%2Cc";
            case "spaces" -> "250 two%20%20spaces";
            case "nul" -> "200 left%00right";
            case "raw-nul" -> "200 left\0right";
            case "soft" -> "400 try%20later";
            case "short" -> "200";
            case "tab" -> "200\tvalue";
            case "badhex" -> "200 x%zz";
            case "badcode" -> "600 x";
            case "letters" -> "2x0 x";
            case "long" -> "200 " + "v".repeat(4091); // 4095 bytes + newline: the most Postfix takes
            case "toolong" -> "200 " + "v".repeat(4092);
            default -> "500 not%20found";
        };
    }

    @BeforeEach
    void start() throws Exception {
        server = SocketTableServer.inet(null);
        server.handler(server.tcp(this::answer));
    }

    @AfterEach
    void stop() { server.close(); }

    private LookupTable open() throws TableOpenException {
        return new TcpType(SHORT).open("127.0.0.1:" + server.port(), context);
    }

    private static int status(LookupTable t, String key) {
        return assertThrows(TableException.class, () -> t.lookup(key)).status();
    }

    @Test
    void keysAreQuotedAndRepliesUnquotedAsPostfixDoes() throws Exception {
        try (LookupTable t = open()) {
            assertEquals(DictFlags.PATTERN, t.implFlags());
            assertEquals("alice@example.net", t.lookup("alice"));
            assertEquals("a,b,c", t.lookup("lower"));
            assertEquals("two  spaces", t.lookup("spaces"));
            assertEquals("left", t.lookup("nul"));
            assertEquals("left", t.lookup("raw-nul"));
            assertNull(t.lookup("Nobody"));
            assertNull(t.lookup("a b%c\u00e9\u007f~"));
            assertEquals("get a%20b%25c%E9%7F~", seen.get(seen.size() - 1));
            assertEquals("v".repeat(4091), t.lookup("long"));
            assertEquals(1, server.accepted.get(), "one connection while the server answers well");
        }
    }

    @Test
    void errorsAnswerRetryAndDropTheConnection() throws Exception {
        try (LookupTable t = open()) {
            int accepted = 0;
            for (String key : new String[] {"soft", "short", "badhex", "badcode", "letters"}) {
                int before = server.requests.get();
                assertEquals(Status.RETRY, status(t, key), key);
                assertEquals(before + 1, server.requests.get(), key + ": not retried");
                assertEquals(++accepted, server.accepted.get(), key + ": connection dropped");
                t.lookup("x");
            }
            assertEquals("value", t.lookup("tab"), "any white space after the code");
        }
    }

    @Test
    void aReplyTooLongIsTriedMaxTryTimesPauseApart() throws Exception {
        try (LookupTable t = open()) {
            long start = System.nanoTime();
            assertEquals(Status.RETRY, status(t, "toolong"));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(3, server.requests.get());
            assertEquals(3, server.accepted.get());
            assertTrue(ms >= 200 && ms < 1500, ms + " ms for 3 tries 100 ms apart");
        }
    }

    @Test
    void aServerThatIsDownOrHostileGetsRetryWithinTheBound() throws Exception {
        String port = String.valueOf(server.port());
        server.close();
        try (LookupTable t = new TcpType(SHORT).open("127.0.0.1:" + port, context)) {
            assertEquals(Status.RETRY, status(t, "alice"));
        }
        // 3 tries of at most 300 ms, 100 ms apart: 1.1 s
        for (var h : List.of(SocketTableServer.silent(), SocketTableServer.raw("garbage\r\n".getBytes()),
                SocketTableServer.raw(("200 " + "x".repeat(10 << 20) + "\n").getBytes()))) {
            try (SocketTableServer hostile = SocketTableServer.inet(h);
                 LookupTable t = new TcpType(SHORT).open("127.0.0.1:" + hostile.port(), context)) {
                long start = System.nanoTime();
                assertEquals(Status.RETRY, status(t, "alice"));
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 2500, "RETRY after " + ms + " ms; the bound is 1100 ms");
            }
        }
    }

    @Test
    void postfixLimitsAreTheDefault() {
        assertEquals(new TcpType.Limits(Duration.ofSeconds(100), 4096, 10, Duration.ofSeconds(1)), TcpType.Limits.POSTFIX);
    }

    @Test
    void definitionsAreCheckedWithAHint() {
        TcpType type = new TcpType(SHORT);
        assertEquals(List.of(), type.check("127.0.0.1:1", context));
        assertEquals(List.of(), type.check("[::1]:1", context));
        assertEquals(List.of(), type.check("localhost:smtp", context));
        assertTrue(type.check("127.0.0.1", context).get(0).endsWith("use tcp:host:port"));
        assertTrue(type.check("host:nosuchservice", context).get(0).contains("unknown service: nosuchservice/tcp"));
        assertEquals(List.of(), type.probe("127.0.0.1:" + server.port(), context));
        assertTrue(type.probe("127.0.0.1:1", context).get(0).startsWith("tcp:127.0.0.1:1: cannot connect to 127.0.0.1:1: "));
        assertThrows(TableOpenException.class, () -> type.open("127.0.0.1:1", new OpenContext(true, 0, n -> null, new SharedResources())));
    }

    @Test
    void hexQuoting() {
        assertEquals("%25%20%09%0A%7F%80%FFab~", HexQuote.quote("% \t\n\u007f\u0080\u00ffab~"));
        assertEquals("% \t\n\u007f\u0080\u00ffab~", HexQuote.unquote("%25%20%09%0a%7F%80%fFab~"));
        assertNull(HexQuote.unquote("%2"));
        assertNull(HexQuote.unquote("%g0"));
    }
}
