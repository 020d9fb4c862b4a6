package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.testing.Golden;
import org.proxymap.testing.Golden.Dialect;
import org.proxymap.testing.Golden.Scenario;
import org.proxymap.testing.Golden.Step;
import org.proxymap.it.TranscriptPlayer.Difference;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * Replays the golden transcripts of Postfix 3.5 (A), 3.7 (B) and 3.11 (C) against our real
 * server, one server per dialect serving the capture instance's tables under a temporary
 * directory: the client's bytes go out as captured, and our reply bytes must equal Postfix's,
 * except where we deliberately differ ({@link Difference}; each one is listed in README.md,
 * section "Differences from Postfix's proxymap").
 */
class TranscriptReplayTest {

    private static final Map<Dialect, TestServer> servers = new HashMap<>();
    private static final Map<Dialect, TranscriptPlayer> players = new HashMap<>();
    private static final Map<Dialect, Path> dirs = new HashMap<>();
    private static final Set<Difference> used = EnumSet.noneOf(Difference.class);
    private static int replayed;

    @BeforeAll
    static void startServers() throws Exception {
        for (Dialect d : Dialect.values()) {
            Path dir = TestServer.newConfig("");
            ReferenceTables.write(dir);
            // the writable table as captured: lmdb in the 3.7 set, internal (in memory) in the others
            String writable = d == Dialect.B ? "lmdb:" + dir + "/maps/rw" : "internal:rw";
            Files.writeString(dir.resolve("etc/main.cf"), "queue_directory = " + dir.resolve("queue") + "\n"
                    + ReferenceTables.proxyMaps(dir, writable));
            if (d == Dialect.A) Files.writeString(dir.resolve("etc/proxymap.cf"), "proxymap_protocol_announcement = no\n");
            TestServer s = TestServer.start(dir);
            servers.put(d, s);
            players.put(d, new TranscriptPlayer(d, s));
            dirs.put(d, dir);
        }
        // B's lmdb:DIR/maps/rw held seed1 and seed2 when the capture started (setup.sh)
        seed(servers.get(Dialect.B), "lmdb:" + dirs.get(Dialect.B) + "/maps/rw", Map.of("seed1", "value1", "seed2", "value2"));
    }

    /**
     * Creates the writable table and fills it with an instance of its own, as setup.sh did with
     * postmap: the server's instances start fresh (their TRY0NULL/TRY1NULL not yet narrowed).
     */
    private static void seed(TestServer s, String table, Map<String, String> entries) throws Exception {
        try (LookupTable t = new OpenContext(true, 0, k -> null, null).openTable(table)) {
            for (var e : entries.entrySet()) t.update(e.getKey(), e.getValue());
        }
    }

    @AfterAll
    static void stopServers() {
        servers.values().forEach(TestServer::close);
        dirs.values().forEach(Trees::delete);
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
            for (Scenario s : list) {
                if (notReplayed(d, s.number())) continue;
                tests.add(dynamicTest(s.toString() + " " + s.title(), () -> replay(d, s)));
            }
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

    /**
     * Scenarios not replayed here: 27/28 (mysql: MysqlServerTest compares real postmap through
     * this server with Postfix's own mysql client on a real MariaDB), and the 3.5 set's 32/33
     * (a 3.5 client against a 3.10 server and back: about servers of other versions; A and B
     * cannot be told apart on the wire, hence proxymap_protocol_announcement).
     */
    private static boolean notReplayed(Dialect d, int n) {
        return n == 27 || n == 28 || (d == Dialect.A && (n == 32 || n == 33));
    }

    private void replay(Dialect d, Scenario golden) throws Exception {
        TestServer server = servers.get(d);
        Scenario s = golden.withDir(dirs.get(d).toString());
        for (Step m : s.messages()) {
            String type = m.toServer() ? tableType(m) : null;
            assertTrue(type == null || server.server.registry().typeNames().contains(type),
                    "table type " + type + " is not available in this build");
        }
        TranscriptPlayer player = players.get(d);
        player.play(s);
        used.addAll(player.used);
        replayed++;
    }

    /** After the replay: the differences met are documented, and enough scenarios ran. */
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
