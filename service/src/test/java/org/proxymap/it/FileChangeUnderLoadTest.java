package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.table.sql.LogCapture;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;
import org.proxymap.testing.WireClient;

/**
 * Every file-backed table (texthash, regexp, pcre, cidr, cdb built by the real postmap)
 * follows its file while clients look keys up without pause: each new generation of the
 * files is answered within about a second, every answer is one that some generation had
 * for that key, and per client and table the generations never go back (old table or new
 * one, never a mix). Then each file is broken (removed, a duplicate key where the client's
 * flags allow none, not a cdb file): the last good contents keep answering, and the log
 * names the file; a good file is picked up again.
 */
class FileChangeUnderLoadTest {
    private static final int KEYS = 20;
    private static final int CLIENTS = 6;
    private static final String[] TYPES = {"texthash", "regexp", "pcre", "cidr", "cdb"};
    private static final Pattern ANSWER = Pattern.compile("g(\\d+)-(\\w+)-(\\d+)");

    private Path dir;
    private Path etc;

    @Test
    void newFilesAreServedWithinASecondWithNoWrongAnswer() throws Exception {
        Require.executable("/usr/sbin/postmap");
        dir = Files.createTempDirectory(Path.of("/tmp"), "fcl");
        StringBuilder maps = new StringBuilder("proxy_read_maps =");
        for (String t : TYPES) maps.append(" proxy:").append(t).append(':').append(dir).append("/t-").append(t);
        Path conf = TestServer.newConfig(maps.toString());
        etc = conf.resolve("etc");
        AtomicInteger written = new AtomicInteger(1);
        writeAll(1, true);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        // seen[client * TYPES + type]: the newest generation that client has seen from that table
        AtomicLongArray seen = new AtomicLongArray(CLIENTS * TYPES.length);
        AtomicInteger lookups = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        try (TestServer s = TestServer.start(conf); LogCapture log = new LogCapture()) {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    try (WireClient w = WireClient.connect(s.proxymap())) {
                        for (int i = 0; !stop.get(); i++) {
                            int type = i % TYPES.length;
                            int k = (i / TYPES.length) % KEYS;
                            String key = TYPES[type].equals("cidr") ? "10.0." + k + ".1" : "k" + k;
                            AttrList r = w.call("request", "lookup", "table", TYPES[type] + ":" + dir + "/t-" + TYPES[type],
                                    "flags", "524353", "key", key);
                            lookups.incrementAndGet();
                            String value = r.size() > 1 ? r.value(1) : "";
                            Matcher m = ANSWER.matcher(value);
                            int max = written.get();
                            if (!r.value(0).equals("0") || !m.matches() || !m.group(2).equals(TYPES[type])
                                    || Integer.parseInt(m.group(3)) != k || Integer.parseInt(m.group(1)) > max) {
                                wrong.add(TYPES[type] + " " + key + ": status " + r.value(0) + " value \"" + value + "\"");
                                continue;
                            }
                            long g = Integer.parseInt(m.group(1));
                            long before = seen.getAndAccumulate(client * TYPES.length + type, g, Math::max);
                            if (g < before) wrong.add(TYPES[type] + " " + key + ": generation " + g + " after " + before);
                        }
                    } catch (Exception e) {
                        wrong.add("client " + client + ": " + e);
                    }
                }));
            }
            long worstMillis = 0;
            for (int g = 2; g <= 5; g++) {
                Thread.sleep(300);
                written.set(g);
                writeAll(g, g % 2 == 0); // odd generations rewrite texthash in place, as an editor may
                long start = System.nanoTime();
                awaitGeneration(seen, g, wrong);
                worstMillis = Math.max(worstMillis, (System.nanoTime() - start) / 1_000_000);
            }
            System.out.println("FileChangeUnderLoadTest: " + lookups.get() + " lookups by " + CLIENTS
                    + " clients over 4 new generations of 5 tables; slowest pickup " + worstMillis + " ms");
            assertTrue(worstMillis < 3000, "picked up within about a second: " + worstMillis + " ms");

            // broken files keep the last good contents, with a warning naming the file
            Files.delete(dir.resolve("t-regexp"));
            Files.delete(dir.resolve("t-cidr"));
            replace("t-pcre", "/^k([0-9]+)$/ g6-pcre-$1\n/^k([0-9]+$/ unbalanced\n"); // a bad rule is skipped, as Postfix does
            replace("t-texthash", "k1 g6-texthash-1\nk1 g6-texthash-1\n"); // no dup_* flag from a 3.7 client: unusable
            replace("t-cdb.cdb", "not a cdb file\n");
            written.set(6);
            Thread.sleep(2500);
            for (String t : new String[] {"regexp", "cidr", "texthash", "cdb"}) {
                for (int c = 0; c < CLIENTS; c++) assertEquals(5, seen.get(c * TYPES.length + indexOf(t)), t + " kept generation 5");
                assertEquals(1, log.count("table " + t + ":" + dir + "/t-" + t + ": cannot re-read " + dir + "/t-" + t), log.all());
            }
            awaitGeneration(seen, 6, wrong, "pcre");
            written.set(7);
            writeAll(7, true);
            awaitGeneration(seen, 7, wrong);
            stop.set(true); // before the server closes
            for (Thread t : clients) t.join(5000);
        } finally {
            stop.set(true);
            for (Thread t : clients) t.join(5000);
            Trees.delete(conf);
            Trees.delete(dir);
        }
        assertEquals(List.of(), List.copyOf(wrong).subList(0, Math.min(20, wrong.size())));
    }

    private static int indexOf(String type) { return List.of(TYPES).indexOf(type); }

    private void awaitGeneration(AtomicLongArray seen, int g, ConcurrentLinkedQueue<String> wrong, String... only)
            throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && wrong.isEmpty()) {
            boolean all = true;
            for (int i = 0; i < seen.length(); i++) {
                String type = TYPES[i % TYPES.length];
                if ((only.length == 0 || List.of(only).contains(type)) && seen.get(i) < g) all = false;
            }
            if (all) return;
            Thread.sleep(20);
        }
        assertEquals(List.of(), List.copyOf(wrong));
        throw new AssertionError("generation " + g + " not seen by every client within 5 s: " + seen);
    }

    /** Generation g of every table; texthash written in place ({@code atomic} false) or renamed over. */
    private void writeAll(int g, boolean atomic) throws Exception {
        StringBuilder th = new StringBuilder();
        StringBuilder cidr = new StringBuilder();
        StringBuilder cdb = new StringBuilder();
        for (int k = 0; k < KEYS; k++) {
            th.append("k").append(k).append(" g").append(g).append("-texthash-").append(k).append('\n');
            cidr.append("10.0.").append(k).append(".0/24 g").append(g).append("-cidr-").append(k).append('\n');
            cdb.append("k").append(k).append(" g").append(g).append("-cdb-").append(k).append('\n');
        }
        if (atomic) replace("t-texthash", th.toString());
        else Files.writeString(dir.resolve("t-texthash"), th);
        replace("t-regexp", "/^k([0-9]+)$/ g" + g + "-regexp-$1\n");
        replace("t-pcre", "/^k([0-9]+)$/ g" + g + "-pcre-$1\n");
        replace("t-cidr", cidr.toString());
        Files.writeString(dir.resolve("t-cdb"), cdb);
        Postmap.Result r = Postmap.run(etc, null, 30, "cdb:" + dir.resolve("t-cdb")); // writes t-cdb.cdb.tmp, renames it
        assertEquals(0, r.exit(), r.toString());
    }

    /** Writes a file beside the old one and renames it over (postmap, and most editors' way). */
    private void replace(String name, String content) throws Exception {
        Path tmp = dir.resolve(name + ".new");
        Files.writeString(tmp, content);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
