package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.TableHandle;
import org.proxymap.testing.Golden;
import org.proxymap.testing.Golden.Dialect;
import org.proxymap.testing.Golden.Scenario;
import org.proxymap.testing.Golden.Step;
import org.proxymap.testing.RawConnection;
import org.proxymap.testing.TestServer;

/**
 * Replays the golden transcripts of Postfix 3.5 (A), 3.7 (B) and 3.11 (C) against our real
 * server, one server per dialect serving the capture instance's tables under a temporary
 * directory: the client's bytes go out as captured, and our reply bytes must equal Postfix's,
 * except where we deliberately differ ({@link Difference}; each one is listed in README.md,
 * section "Differences from Postfix's proxymap").
 */
class TranscriptReplayTest {

    /** Our documented behaviour where it differs from Postfix's; the phrase is quoted from README.md. */
    enum Difference {
        PIPELINED("Pipelined requests are each answered"),
        CLOSE_NOT_REQUEST("a request whose first attribute is not `request`"),
        CLOSE_INCOMPLETE("a request that does not arrive in full within the deadline"),
        SEQUENCE_ORDER("`sequence` returns the entries in the table's own order"),
        SEQUENCE_NO_WRAP("after the last entry, `sequence` keeps answering NOKEY"),
        OPEN_FLAGS("open replies in dialects A and B carry the flags of a freshly opened table"),
        BOTH_DIALECTS("requests of dialect B and C are both served"),
        LMDB_AS_INTERNAL("lmdb: tables are not available yet");

        final String readme;

        Difference(String readme) { this.readme = readme; }
    }

    private static final long REPLY_MS = 5000;
    private static final Map<Dialect, TestServer> servers = new HashMap<>();
    private static final Map<Dialect, Path> dirs = new HashMap<>();
    private static final Set<Difference> used = EnumSet.noneOf(Difference.class);
    private static int replayed;

    /** Contents of B's lmdb:DIR/maps/rw on the read-only service when 12 and 17 ran (after 13-15). */
    private static final Map<String, String> B_RW_READ = Map.of("seed1", "value1", "newkey", "newvalue");

    @BeforeAll
    static void startServers() throws Exception {
        for (Dialect d : Dialect.values()) {
            Path dir = TestServer.newConfig("");
            ReferenceTables.write(dir);
            Files.writeString(dir.resolve("etc/main.cf"), "queue_directory = " + dir.resolve("queue") + "\n"
                    + ReferenceTables.proxyMaps(dir, "internal:rw"));
            if (d == Dialect.A) Files.writeString(dir.resolve("etc/proxymap.cf"), "proxymap_protocol_announcement = no\n");
            TestServer s = TestServer.start(dir);
            servers.put(d, s);
            dirs.put(d, dir);
        }
        // B was captured with lmdb:DIR/maps/rw (seed1, seed2 on disk, shared by both services);
        // we replay it on internal:rw, filled with what the file held at each point
        seed(servers.get(Dialect.B), true, Map.of("seed1", "value1", "seed2", "value2"));
        seed(servers.get(Dialect.B), false, B_RW_READ);
    }

    private static void seed(TestServer s, boolean writable, Map<String, String> entries) throws Exception {
        TableHandle h = s.server.registry().acquire("internal:rw", writable, 0);
        try {
            for (var e : entries.entrySet()) h.table().update(e.getKey(), e.getValue());
        } finally {
            h.release();
        }
    }

    @AfterAll
    static void stopServers() {
        servers.values().forEach(TestServer::close);
    }

    @TestFactory
    Stream<DynamicTest> replayEveryTranscript() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Dialect d : Dialect.values()) {
            List<Scenario> list = new ArrayList<>(Golden.load(d));
            if (d != Dialect.B) {
                // captured in one proxywrite process in this order: 15 stores what 13 and 14 delete
                Scenario fifteen = list.stream().filter(s -> s.number() == 15).findFirst().orElseThrow();
                list.remove(fifteen);
                int at = list.indexOf(list.stream().filter(s -> s.number() == 13).findFirst().orElseThrow());
                list.add(at, fifteen);
            }
            for (Scenario s : list) tests.add(dynamicTest(s.toString() + " " + s.title(), () -> replay(d, s)));
        }
        return tests.stream();
    }

    private static String tableType(Step request) {
        String t = request.attr("table");
        if (t == null) return null;
        while (t.startsWith("proxy:")) t = t.substring(6);
        int colon = t.indexOf(':');
        return colon < 0 ? null : t.substring(0, colon);
    }

    private void replay(Dialect d, Scenario golden) throws Exception {
        int n = golden.number();
        Assumptions.assumeFalse(n == 27 || n == 28, "mysql scenarios need a MariaDB; the mysql table tests cover them");
        Assumptions.assumeFalse(d == Dialect.A && (n == 32 || n == 33),
                "a 3.5 client against a 3.10 server and back: about servers of other versions; A and B cannot be told apart on the wire, hence proxymap_protocol_announcement");
        TestServer server = servers.get(d);
        Scenario s = golden.withDir(dirs.get(d).toString());
        if (d == Dialect.B) {
            Scenario swapped = s.replace("lmdb:" + dirs.get(d) + "/maps/rw", "internal:rw");
            if (!swapped.equals(s)) used.add(Difference.LMDB_AS_INTERNAL);
            s = swapped;
        }
        for (Step m : s.messages()) {
            String type = m.toServer() ? tableType(m) : null;
            Assumptions.assumeTrue(type == null || server.server.registry().typeNames().contains(type),
                    "table type " + type + " is not available in this build yet");
        }
        new Replay(d, s, server).run();
        replayed++;
    }

    /** One scenario on our server: connections, requests as captured, replies compared. */
    private final class Replay {
        final Dialect dialect;
        final Scenario s;
        final TestServer server;
        final ArrayDeque<Step> pending = new ArrayDeque<>();
        /** per table: entries returned since the last FIRST, and whether NOKEY ended the run */
        final Map<String, Set<String>> seen = new HashMap<>();
        final Set<String> ended = new HashSet<>();
        RawConnection c;
        String service;

        Replay(Dialect dialect, Scenario s, TestServer server) {
            this.dialect = dialect;
            this.s = s;
            this.server = server;
        }

        void run() throws Exception {
            List<Step> steps = s.steps();
            try {
                for (int i = 0; i < steps.size(); i++) {
                    Step st = steps.get(i);
                    String where = s + " step " + i;
                    switch (st.kind()) {
                        case "connect" -> connect(st.info(), where);
                        case "C->S" -> {
                            // consecutive requests go out in one write (21 pipelines three)
                            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                            int j = i;
                            for (; j < steps.size() && steps.get(j).toServer(); j++) {
                                out.write(steps.get(j).bytes());
                                pending.add(steps.get(j));
                            }
                            c.send(out.toByteArray());
                            i = j - 1;
                        }
                        case "S->C" -> expectReply(st, where);
                        case "timeout" -> afterSilence(where);
                        case "close" -> closeConnection();
                        case "killed" -> { }
                        default -> throw new AssertionError(where + ": unknown step " + st.kind());
                    }
                }
            } finally {
                closeConnection();
            }
        }

        void connect(String svc, String where) throws IOException {
            closeConnection();
            service = svc;
            c = new RawConnection(svc.equals("proxywrite") ? server.proxywrite() : server.proxymap());
            if (dialect == Dialect.A) {
                assertEquals(0, c.bytesWithin(150), where + ": with proxymap_protocol_announcement = no, no hello");
            }
        }

        void closeConnection() throws IOException {
            if (c != null) c.close();
            c = null;
        }

        byte[] read(String where) throws Exception {
            byte[] got = c.readList(REPLY_MS);
            assertNotNull(got, where + ": the server closed the connection instead of replying");
            return got;
        }

        void expectReply(Step golden, String where) throws Exception {
            Step request = pending.poll(); // null for the hello
            byte[] got = read(where);
            byte[] want = golden.bytes();
            if (request != null) {
                String req = request.attr("request");
                boolean requestC = request.attr("instance_flags") != null;
                boolean serverC = s.serverDialect() == Dialect.C; // Postfix's server in this capture
                if (requestC != serverC && !"frobnicate".equals(req)) {
                    // Postfix serves one dialect (BAD for the other); we answer each request in its own
                    used.add(Difference.BOTH_DIALECTS);
                    want = model(request);
                } else if ("sequence".equals(req) && golden.attr("status") != null && !"3".equals(status(golden))) {
                    checkSequence(request, golden, got, where);
                    return;
                } else if ("open".equals(req) && dialect != Dialect.C && "0".equals(status(golden))) {
                    long impl = Long.parseLong(golden.attr("flags")) & (DictFlags.FIXED | DictFlags.PATTERN);
                    want = new AttrWriter().num("status", 0).num("flags", impl | Long.parseLong(request.attr("flags")))
                            .end().toByteArray();
                    if (!java.util.Arrays.equals(want, golden.bytes())) used.add(Difference.OPEN_FLAGS);
                }
            }
            assertEquals(esc(want), esc(got), where + " reply to " + (request == null ? "connect" : request.escaped()));
            assertArrayEquals(want, got);
        }

        /** Sequence order is the table's own: check each entry against the table, and the run's end. */
        void checkSequence(Step request, Step golden, byte[] got, String where) {
            used.add(Difference.SEQUENCE_ORDER);
            String table = request.attr("table");
            Map<String, String> contents = table.startsWith("internal:") ? B_RW_READ : ReferenceTables.SMALL;
            if ("0".equals(request.attr("function"))) {
                seen.put(table, new HashSet<>());
                ended.remove(table);
            }
            Set<String> run = seen.computeIfAbsent(table, t -> new HashSet<>());
            String[] reply = decode(got);
            if (ended.contains(table) && "0".equals(status(golden))) {
                used.add(Difference.SEQUENCE_NO_WRAP); // lmdb's cursor starts over; ours stays at the end
            }
            if (run.size() == contents.size()) {
                AttrWriter w = new AttrWriter().num("status", 1);
                if (dialect == Dialect.C) w.num("flags", Long.parseLong(request.attr("flags")));
                assertEquals(esc(w.str("key", "").str("value", "").end().toByteArray()), esc(got), where + ": end of the table");
                ended.add(table);
                return;
            }
            assertEquals("status", reply[0], where);
            assertEquals("0", reply[1], where + ": an entry, " + esc(got));
            String key = reply[reply.length - 3];
            String value = reply[reply.length - 1];
            assertEquals(contents.get(key), value, where + ": entry " + key);
            assertTrue(run.add(key), where + ": " + key + " returned twice in one run");
            AttrWriter w = new AttrWriter().num("status", 0);
            if (dialect == Dialect.C) w.num("flags", Long.parseLong(golden.attr("flags")));
            assertEquals(esc(w.str("key", key).str("value", value).end().toByteArray()), esc(got), where);
        }

        /** What we answer after Postfix went silent. */
        void afterSilence(String where) throws Exception {
            if (pending.isEmpty()) {
                assertEquals(0, c.bytesWithin(300), where + ": nothing more");
                return;
            }
            Step first = pending.peek();
            if (first.attrs() != null && first.attrs().size() > 0 && first.attrs().get(0)[0].equals("request")) {
                used.add(Difference.PIPELINED); // Postfix dropped these; we answer each, in order
                while (!pending.isEmpty()) {
                    Step r = pending.poll();
                    assertEquals(esc(model(r)), esc(read(where)), where + ": pipelined " + r.escaped());
                }
                return;
            }
            // 24 (first attribute not request): closed at once; 25 (no NUL): closed at the deadline
            boolean notRequest = first.attrs() != null;
            used.add(notRequest ? Difference.CLOSE_NOT_REQUEST : Difference.CLOSE_INCOMPLETE);
            long start = System.nanoTime();
            assertTrue(c.closedWithin(3000), where + ": the server closes the connection without a reply");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(notRequest ? ms < 500 : ms >= 700, where + ": closed after " + ms + " ms");
            pending.clear();
        }

        /** Our reply to a request on the small table, lookup or open, in the request's own dialect. */
        byte[] model(Step r) {
            boolean c3 = r.attr("instance_flags") != null;
            assertTrue(r.attr("table").endsWith("/maps/small"), "model covers the small table only: " + r.escaped());
            AttrWriter w = new AttrWriter();
            if (r.attr("request").equals("open")) {
                long f = Long.parseLong(c3 ? r.attr("instance_flags") : r.attr("flags"));
                return w.num("status", 0).num("flags", f | DictFlags.FIXED).end().toByteArray();
            }
            long flags = Long.parseLong(r.attr("flags"));
            String key = r.attr("key");
            if ((flags & DictFlags.FOLD_FIX) != 0) key = key.toLowerCase(java.util.Locale.ROOT);
            String v = ReferenceTables.SMALL.get(key);
            w.num("status", v == null ? 1 : 0);
            if (c3) w.num("flags", flags);
            return w.str("value", v == null ? "" : v).end().toByteArray();
        }
    }

    private static String status(Step reply) { return reply.attr("status"); }

    private static String[] decode(byte[] list) {
        String s = new String(list, 0, list.length - 2, StandardCharsets.ISO_8859_1); // last value's NUL, terminator
        return s.split("\0", -1);
    }

    private static String esc(byte[] b) { return new String(b, StandardCharsets.ISO_8859_1).replace("\0", "\\0"); }

    /** Runs after the replay (JUnit orders @Test after @TestFactory by name? no: checked in @AfterAll). */
    @AfterAll
    static void everyDifferenceUsedIsDocumentedInTheReadme() throws IOException {
        assertTrue(replayed >= 60, "replayed only " + replayed + " scenarios");
        String readme = Files.readString(readme());
        int section = readme.indexOf("## Differences from Postfix's proxymap");
        assertTrue(section >= 0, "README.md has a section \"Differences from Postfix's proxymap\"");
        String text = readme.substring(section);
        for (Difference d : used) assertTrue(text.contains(d.readme), "README.md, Differences, lists: " + d.readme);
        assertTrue(used.containsAll(EnumSet.of(Difference.PIPELINED, Difference.CLOSE_NOT_REQUEST,
                Difference.CLOSE_INCOMPLETE, Difference.OPEN_FLAGS, Difference.BOTH_DIALECTS)), "differences seen: " + used);
    }

    static Path readme() {
        String dir = System.getProperty("proxymap.project.dir");
        Path p = dir != null ? Path.of(dir, "README.md") : Path.of("..", "README.md");
        if (!Files.exists(p)) p = Path.of("README.md");
        return p;
    }

    @Test
    void theGoldenSetsAreComplete() {
        Map<Dialect, Integer> counts = new LinkedHashMap<>();
        for (Dialect d : Dialect.values()) counts.put(d, Golden.load(d).size());
        assertEquals(Map.of(Dialect.A, 29, Dialect.B, 28, Dialect.C, 29), counts);
    }
}
