package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.table.socket.SocketmapType;
import org.proxymap.table.socket.TcpType;
import org.proxymap.testing.Require;
import org.proxymap.testing.SocketTableServer;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;
import org.proxymap.testing.WireClient;

/**
 * socketmap and tcp tables through Debian's real {@code postmap -q ... proxy:...} against our
 * server and against the REAL Postfix 3.7 proxymap, both asking the same small servers
 * written for this test: hundreds of keys per type with identical stdout, stderr and exit
 * codes, and the fault cases (server down, garbage, a 10 MB answer). A server that never
 * answers costs Postfix 100 s, so that case runs against ours alone with a short limit, while
 * another table keeps answering.
 */
class SocketTablesInteropTest {
    private static final int POSTMAP_SECONDS = 60;
    private static final int KEYS = 300;
    /** our socketmap time limit in this test (Postfix: 100 s) */
    private static final int SILENT_LIMIT_MS = 4000;
    /** the common pool may have a single thread on a 2-core machine */
    private static final java.util.concurrent.Executor THREADS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private static Path dir;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static SocketTableServer smap;
    private static SocketTableServer smapUnix;
    private static SocketTableServer garbage;
    private static SocketTableServer huge;
    private static SocketTableServer silent;
    private static String down;
    private static SocketTableServer tcp;
    private static SocketTableServer tcpGarbage;
    private static SocketTableServer tcpHuge;
    private static SocketTableServer tcpSilent;
    /** our tcp limits here: Postfix's 10 tries, but 400 ms per read and 100 ms apart (Postfix: 100 s, 1 s) */
    private static final TcpType.Limits TCP_LIMITS = new TcpType.Limits(Duration.ofMillis(400), 4096, 10, Duration.ofMillis(100));

    /** name key -> reply: a socketmap server whose answers depend on the key only. */
    static String socketmapAnswer(String request) {
        int sp = request.indexOf(' ');
        String name = request.substring(0, sp);
        String key = request.substring(sp + 1);
        if (!name.equals("users")) return "PERM no map named " + name;
        if (key.startsWith("k")) {
            int i = Integer.parseInt(key.substring(1, key.indexOf('@')));
            return switch (i % 4) {
                case 0 -> "OK value" + i + " with  spaces, and commas";
                case 1 -> "NOTFOUND ";
                case 2 -> "OK " + key; // echoes the key as received: folding shows
                default -> "OK " + "v".repeat(i);
            };
        }
        return switch (key) {
            case "temp" -> "TEMP try again later";
            case "timeout" -> "TIMEOUT backend slow";
            case "perm" -> "PERM misconfigured";
            case "odd" -> "MAYBE what";
            case "bare" -> "OK";
            case "empty" -> "OK ";
            case "nul" -> "OK left\0right";
            default -> "OK " + key;
        };
    }

    /** "get QUOTED-KEY" -> reply line: a tcp_table server whose answers depend on the key only. */
    static String tcpAnswer(String request) {
        String key = unquote(request.substring(4));
        if (key.startsWith("k") && key.indexOf('@') > 1) {
            int i = Integer.parseInt(key.substring(1, key.indexOf('@')));
            return switch (i % 5) {
                case 0 -> "200 value%20" + i + "%2c%20with%2Ccommas";
                case 1 -> "500 not%20here";
                case 2 -> "200 " + request.substring(4); // the key as received, still quoted
                case 3 -> "250\t" + "v".repeat(i % 50);
                default -> "550 ";
            };
        }
        return switch (key) {
            case "soft" -> "400 try%20later";
            case "short" -> "200";
            case "badhex" -> "200 x%zz";
            case "badcode" -> "600 x";
            case "letters" -> "2x0 x";
            case "bare" -> "550";
            case "nul" -> "200 left%00right";
            case "long" -> "200 " + "v".repeat(4091);
            case "toolong" -> "200 " + "v".repeat(4092);
            default -> "200 " + request.substring(4);
        };
    }

    /** %XX decoding written for the test (not the server's code). */
    private static String unquote(String q) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < q.length(); i++) {
            if (q.charAt(i) == '%') {
                b.write(Integer.parseInt(q.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.write(q.charAt(i));
            }
        }
        return b.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        dir = Files.createTempDirectory(Path.of("/tmp"), "socktab");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ReferenceTables.write(dir);
        smap = SocketTableServer.inet(null);
        smap.handler(smap.socketmap(SocketTablesInteropTest::socketmapAnswer));
        smapUnix = SocketTableServer.unix(dir.resolve("smap.sock"), null);
        smapUnix.handler(smapUnix.socketmap(SocketTablesInteropTest::socketmapAnswer));
        garbage = SocketTableServer.inet(SocketTableServer.raw("HTTP/1.0 400 Bad Request\r\n\r\n".getBytes()));
        huge = SocketTableServer.inet(SocketTableServer.raw(SocketTableServer.netstring("OK " + "x".repeat(10 << 20))));
        silent = SocketTableServer.inet(SocketTableServer.silent());
        try (SocketTableServer closed = SocketTableServer.inet(SocketTableServer.silent())) {
            down = closed.service();
        }
        tcp = SocketTableServer.inet(null);
        tcp.handler(tcp.tcp(SocketTablesInteropTest::tcpAnswer));
        tcpGarbage = SocketTableServer.inet(SocketTableServer.raw("HTTP/1.0 400 Bad Request\r\n\r\n".getBytes()));
        tcpHuge = SocketTableServer.inet(SocketTableServer.raw(("200 " + "x".repeat(10 << 20) + "\n").getBytes()));
        tcpSilent = SocketTableServer.inet(SocketTableServer.silent());
        String maps = ReferenceTables.proxyMaps(dir, "internal:rw", String.join(" ",
                "proxy:tcp:127.0.0.1:" + tcp.port(),
                "proxy:tcp:127.0.0.1:" + tcpGarbage.port(),
                "proxy:tcp:127.0.0.1:" + tcpHuge.port(),
                "proxy:tcp:127.0.0.1:" + tcpSilent.port(),
                "proxy:tcp:" + down.substring("inet:".length()),
                "proxy:socketmap:" + smap.service() + ":users",
                "proxy:socketmap:" + smapUnix.service() + ":users",
                "proxy:socketmap:" + smap.service() + ":nosuch",
                "proxy:socketmap:" + garbage.service() + ":users",
                "proxy:socketmap:" + huge.service() + ":users",
                "proxy:socketmap:" + down + ":users",
                "proxy:socketmap:" + silent.service() + ":users"));
        postfix = PostfixReference.start(maps);
        Path oursDir = TestServer.newConfig("compatibility_level = 3.6\n" + maps);
        ours = TestServer.start(oursDir, List.of(new SocketmapType(new SocketmapType.Limits(Duration.ofMillis(SILENT_LIMIT_MS),
                100_000, Duration.ofSeconds(10), Duration.ofSeconds(100))), new TcpType(TCP_LIMITS)));
    }

    @AfterAll
    static void stop() {
        if (ours != null) {
            ours.close();
            Trees.delete(ours.dir);
        }
        if (postfix != null) postfix.close();
        for (SocketTableServer s : new SocketTableServer[] {smap, smapUnix, garbage, huge, silent, tcp, tcpGarbage, tcpHuge, tcpSilent}) if (s != null) s.close();
        if (dir != null) Trees.delete(dir);
    }

    /** postmap against both servers at once; asserts the same result and returns it. */
    private static Postmap.Result both(String stdin, String... args) {
        var theirs = CompletableFuture.supplyAsync(() -> run(postfix.etc, postfix.dir, stdin, args), THREADS);
        Postmap.Result mine = run(ours.etc, ours.dir, stdin, args);
        assertEquals(theirs.join(), mine, "postmap " + String.join(" ", args) + " through Postfix's proxymap vs ours");
        return mine;
    }

    private static Postmap.Result run(Path etc, Path instance, String stdin, String... args) {
        try {
            return Postmap.run(etc, stdin, POSTMAP_SECONDS, args).normalized(instance);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static String keys() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < KEYS; i++) b.append(i % 8 == 2 ? "k" + i + "@Example.COM" : "k" + i + "@example.com").append('\n');
        return b.toString();
    }

    @Test
    void socketmapHundredsOfKeys() {
        for (String service : new String[] {smap.service(), smapUnix.service()}) {
            Postmap.Result r = both(keys(), "-q", "-", "proxy:socketmap:" + service + ":users");
            assertEquals(0, r.exit());
            assertEquals(KEYS * 3 / 4, r.stdout().lines().count(), "three in four keys are found");
            assertTrue(r.stdout().contains("k2@Example.COM\tk2@Example.COM\n"), "a pattern table sees the key unfolded");
        }
    }

    @Test
    void socketmapRepliesOneByOne() {
        String table = "proxy:socketmap:" + smap.service() + ":users";
        for (String key : new String[] {"plain", "bare", "empty", "nul", "temp", "timeout", "perm", "odd", "k1@example.com"}) {
            both(null, "-q", key, table);
        }
        both(null, "-q", "x".repeat(20_000), table);
        both(null, "-q", "alice", "proxy:socketmap:" + smap.service() + ":nosuch");
    }

    @Test
    void socketmapServersThatAreDownOrHostile() {
        for (String service : new String[] {down, garbage.service(), huge.service()}) {
            Postmap.Result r = both(null, "-q", "alice", "proxy:socketmap:" + service + ":users");
            assertEquals(1, r.exit());
            assertTrue(r.stderr().contains("query error"), r.stderr());
        }
    }

    private static String tcpKeys() {
        StringBuilder b = new StringBuilder(keys());
        for (String k : new String[] {"\u00fcn\u00efcode@example.com", "per%cent@example.com", "Mixed@Case", "tilde~", "k7@x"}) {
            b.append(k).append('\n');
        }
        return b.toString();
    }

    @Test
    void tcpHundredsOfKeys() {
        Postmap.Result r = both(tcpKeys(), "-q", "-", "proxy:tcp:127.0.0.1:" + tcp.port());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(KEYS * 3 / 5 + 5, r.stdout().lines().count(), "three in five keys are found, and the 5 others");
        assertTrue(r.stdout().contains("\u00fcn\u00efcode@example.com\t\u00fcn\u00efcode@example.com\n"), r.stdout());
    }

    @Test
    void tcpRepliesOneByOne() {
        String table = "proxy:tcp:127.0.0.1:" + tcp.port();
        for (String key : new String[] {"soft", "short", "badhex", "badcode", "letters", "bare", "nul", "long", "plain"}) {
            both(null, "-q", key, table);
        }
    }

    @Test
    void tcpServersThatAreDownOrHostile() {
        // Postfix tries 10 times, 1 s apart, on no reply, EOF or an over-long reply: 9 s each, so side by side
        List<CompletableFuture<Postmap.Result>> cases = new ArrayList<>();
        for (String[] c : new String[][] {{"toolong", "127.0.0.1:" + tcp.port()}, {"x", down.substring("inet:".length())},
                {"x", "127.0.0.1:" + tcpHuge.port()}, {"x", "127.0.0.1:" + tcpGarbage.port()}}) {
            cases.add(CompletableFuture.supplyAsync(() -> both(null, "-q", c[0], "proxy:tcp:" + c[1]),
                    THREADS));
        }
        for (var f : cases) {
            Postmap.Result r = f.join();
            assertEquals(1, r.exit());
            assertTrue(r.stderr().contains("query error"), r.stderr());
        }
    }

    @Test
    void theTablesAppearUnderJmxTablesWithTheirCounters() throws Exception {
        String sm = "socketmap:" + smap.service() + ":users";
        String tc = "tcp:127.0.0.1:" + tcp.port();
        try (WireClient c = WireClient.connect(ours.proxymap())) {
            for (String t : new String[] {sm, tc}) c.call("request", "lookup", "table", t, "flags", "16448", "key", "k0@example.com");
        }
        for (String t : new String[] {sm, tc}) {
            var h = ours.server.registry().handles().stream().filter(x -> x.fullName().equals(t)).findFirst().orElseThrow();
            assertEquals(t.substring(0, t.indexOf(':')), h.type());
            assertTrue(h.counters().lookups.sum() >= 1 && h.counters().hits.sum() >= 1, t);
            assertTrue(!h.isSurrogate(), t);
        }
    }

    @Test
    void aServerThatNeverAnswersCostsOnlyItsOwnRequests() throws Exception {
        List<CompletableFuture<AttrList>> stuck = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            String table = i % 3 == 2 ? "tcp:127.0.0.1:" + tcpSilent.port() : "socketmap:" + silent.service() + ":users";
            stuck.add(CompletableFuture.supplyAsync(() -> {
                try (WireClient c = WireClient.connect(ours.proxymap())) {
                    return c.call("request", "lookup", "table", table, "flags", "16448", "key", "alice");
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, THREADS)); // the common pool may have one thread
        }
        // meanwhile every other table answers at once
        Thread.sleep(200);
        long t0 = System.nanoTime();
        try (WireClient c = WireClient.connect(ours.proxymap())) {
            for (int i = 0; i < 100; i++) {
                AttrList r = c.call("request", "lookup", "table", "texthash:" + dir + "/maps/small", "flags", "16448",
                        "key", "alice@example.com");
                assertEquals("status\\00\\0value\\0alice@mailhost.example.com\\0\\0", WireClient.escaped(r));
            }
        }
        long otherMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(stuck.stream().noneMatch(CompletableFuture::isDone), "the silent server's lookups ended early");
        System.out.println("100 texthash lookups while 4 wait on a silent socketmap server and 2 on a silent tcp server: "
                + otherMs + " ms");
        for (var f : stuck) assertEquals("status\\02\\0value\\0\\0\\0", WireClient.escaped(f.join()), "RETRY");
        long ms = (System.nanoTime() - start) / 1_000_000;
        // socketmap: one limit; tcp: 10 tries of 400 ms, 100 ms apart = 4.9 s
        assertTrue(ms >= SILENT_LIMIT_MS && ms < 4900 + 3000, "RETRY after " + ms + " ms with a " + SILENT_LIMIT_MS + " ms limit");
    }
}
