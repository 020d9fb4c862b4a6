package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.protocol.DictFlags;
import org.proxymap.testing.Golden.Dialect;
import org.proxymap.testing.Golden.Scenario;
import org.proxymap.testing.Golden.Step;
import org.proxymap.testing.RawConnection;
import org.proxymap.testing.TestServer;

/**
 * Plays one golden transcript against our server: the client's bytes go out as captured
 * (requests that follow each other without a reply in one write), and each reply must equal
 * Postfix's bytes, except where we deliberately differ ({@link Difference}).
 * Thread-safe: one player may run scenarios on several threads.
 */
final class TranscriptPlayer {

    /** Our documented behaviour where it differs from Postfix's; the phrase is quoted from README.md. */
    enum Difference {
        PIPELINED("Pipelined requests are each answered"),
        CLOSE_NOT_REQUEST("a request whose first attribute is not `request`"),
        CLOSE_INCOMPLETE("a request that does not arrive in full within the deadline"),
        SEQUENCE_ORDER("`sequence` returns the entries in the table's own order"),
        SEQUENCE_NO_WRAP("after the last entry, `sequence` keeps answering NOKEY"),
        OPEN_FLAGS("open replies in dialects A and B carry the flags of a freshly opened table"),
        BOTH_DIALECTS("requests of dialect B and C are both served");

        final String readme;

        Difference(String readme) { this.readme = readme; }
    }

    /** Contents of B's lmdb:DIR/maps/rw when 17 ran (after 13 and 15). */
    static final Map<String, String> B_RW_READ = Map.of("seed1", "value1", "newkey", "newvalue");

    private static final long REPLY_MS = 5000;

    private final Dialect dialect;
    private final TestServer server;
    /** the differences met so far */
    final Set<Difference> used = Collections.synchronizedSet(EnumSet.noneOf(Difference.class));

    /** @param dialect the dialect whose transcripts this player replays (A: no hello expected) */
    TranscriptPlayer(Dialect dialect, TestServer server) {
        this.dialect = dialect;
        this.server = server;
    }

    /** Plays {@code s}, already moved to the server's table directory. */
    void play(Scenario s) throws Exception {
        new Replay(s).run();
    }

    /** One scenario on our server: connections, requests as captured, replies compared. */
    private final class Replay {
        final Scenario s;
        final ArrayDeque<Step> pending = new ArrayDeque<>();
        /** per table: entries returned since the last FIRST, and whether NOKEY ended the run */
        final Map<String, Set<String>> seen = new HashMap<>();
        final Set<String> ended = new HashSet<>();
        RawConnection c;
        String service;

        Replay(Scenario s) {
            this.s = s;
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
                    long impl = Long.parseLong(golden.attr("flags"))
                            & (DictFlags.IMPL_MASK | DictFlags.TRY0NULL | DictFlags.TRY1NULL);
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
            Map<String, String> contents = table.startsWith("lmdb:") ? B_RW_READ : ReferenceTables.SMALL;
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
            assertTrue(c.closedWithin(6000), where + ": the server closes the connection without a reply");
            long ms = (System.nanoTime() - start) / 1_000_000;
            // an incomplete request is given the whole deadline (1 s) before the connection closes
            if (!notRequest) assertTrue(ms >= 700, where + ": closed after " + ms + " ms");
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

}
