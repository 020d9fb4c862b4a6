package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.MiniJson;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;
import org.proxymap.testing.WireClient;

/**
 * The texthash flag vectors of real Postfix 3.5.27 (dialect A), 3.7.11 (B) and 3.11.6 (C):
 * what each version's own {@code postmap [-f|-n|-N] -q KEY proxy:texthash:th} (and
 * {@code -q -}) sent to that version's own proxymap, and what it answered. Every request is
 * replayed to our server, byte for byte but for the table's directory, and each reply's
 * status and value must be the real server's. The table ({@code texthash-flags.th}) has a
 * mixed-case key, two keys that differ only in case, and an upper-case key, so the answers
 * differ by dialect: A/B load the keys as written (the client folds the query), C loads them
 * folded and keeps the first of the two case-duplicates.
 *
 * <p>Derived from {@code vectors-3.11/flags/wire.<v>.json} (the texthash invocations, hex
 * and the protocol announcement left out, the capture's table directory written as
 * {@code TABLES/}). Reply flags are not compared: 3.11's carry {@code utf8_active}, which
 * ours leave out (the client then does the UTF-8 work; see README, Differences).
 */
class FlagVectorsTest {

    @SuppressWarnings("unchecked")
    private static Map<String, List<Map<String, Object>>> vectors() throws Exception {
        try (InputStream in = FlagVectorsTest.class.getResourceAsStream("/vectors/texthash-flags.json")) {
            return (Map<String, List<Map<String, Object>>>) MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void dialectA_postfix3_5() throws Exception { replay("3.5.27", false); }

    @Test
    void dialectB_postfix3_7() throws Exception { replay("3.7.11", true); }

    @Test
    void dialectC_postfix3_11() throws Exception { replay("3.11.6", true); }

    @SuppressWarnings("unchecked")
    private static void replay(String version, boolean announce) throws Exception {
        Path tables = Files.createTempDirectory(Path.of("/tmp"), "fv");
        try (InputStream th = FlagVectorsTest.class.getResourceAsStream("/vectors/texthash-flags.th")) {
            Files.copy(th, tables.resolve("th"));
        }
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:texthash:" + tables + "/th\n");
        Files.writeString(dir.resolve("etc/proxymap.cf"), "proxymap_protocol_announcement = " + (announce ? "yes" : "no") + "\n");
        List<String> diffs = new ArrayList<>();
        int replies = 0;
        try (TestServer s = TestServer.start(dir)) {
            for (Map<String, Object> c : vectors().get(version)) {
                List<List<List<String>>> requests = (List<List<List<String>>>) c.get("requests");
                List<List<List<String>>> expected = (List<List<List<String>>>) c.get("replies");
                assertEquals(requests.size(), expected.size(), "vector " + c.get("id"));
                try (WireClient w = WireClient.connect(s.proxymap(), announce)) {
                    for (int i = 0; i < requests.size(); i++) {
                        List<String> nv = new ArrayList<>();
                        for (List<String> a : requests.get(i)) {
                            nv.add(a.get(0));
                            nv.add(a.get(1).replace("TABLES/", tables + "/"));
                        }
                        w.send(nv.toArray(String[]::new));
                        AttrList got = w.read();
                        replies++;
                        String want = statusAndValue(expected.get(i));
                        String have = got == null ? "(closed)" : statusAndValue(got);
                        if (!want.equals(have)) {
                            diffs.add(version + " " + c.get("id") + " postmap " + c.get("args") + ", request " + requests.get(i)
                                    + ": Postfix " + want + ", ours " + have);
                        }
                    }
                }
            }
        } finally {
            Trees.delete(dir);
            Trees.delete(tables);
        }
        assertEquals(List.of(), diffs);
        assertEquals(92, replies, "replies compared");
    }

    private static String statusAndValue(List<List<String>> reply) {
        StringBuilder b = new StringBuilder();
        for (List<String> a : reply) {
            if (a.get(0).equals("status") || a.get(0).equals("value")) b.append(a.get(0)).append('=').append(a.get(1)).append(' ');
        }
        return b.toString().strip();
    }

    private static String statusAndValue(AttrList reply) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < reply.size(); i++) {
            if (reply.name(i).equals("status") || reply.name(i).equals("value")) {
                b.append(reply.name(i)).append('=').append(reply.value(i)).append(' ');
            }
        }
        return b.toString().strip();
    }
}
