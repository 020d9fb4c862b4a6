package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/**
 * btree: files changing under a serving server: postmap rebuilds the file in place while
 * clients look keys up through the socket; and a writer process killed with SIGKILL in the
 * middle of a stream of updates.
 */
class BerkeleyDbLiveTest {
    private static final int KEYS = 2000;

    private static String generation(int g) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < KEYS; i++) sb.append("key").append(i).append("@example.com\tg").append(g).append("-").append(i).append('\n');
        return sb.toString();
    }

    /** Every answer is the key's value in one generation, and no client goes back a generation. */
    @Test
    void rebuildsUnderLoadNeverGiveAWrongAnswer() throws Exception {
        Postmap postmap = Postmap.create();
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:btree:${config_directory}/live");
        Path src = dir.resolve("etc/live");
        Files.writeString(src, generation(0));
        assertEquals(0, postmap.run("", "btree:" + src).exit());
        String table = "btree:" + src;
        int generations = 6;
        try (TestServer s = TestServer.start(dir)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lookups = new AtomicLong();
            List<String> wrong = Collections.synchronizedList(new ArrayList<>());
            int[] lastSeen = new int[4];
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int id = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    int newest = 0;
                    try (WireClient w = WireClient.connect(s.proxymap())) {
                        for (int n = 0; !stop.get(); n++) {
                            int i = (n * 7919 + id) % KEYS;
                            String r = WireClient.escaped(w.call("request", "lookup", "table", table, "flags", "64",
                                    "key", "key" + i + "@example.com"));
                            lookups.incrementAndGet();
                            String prefix = "status\\00\\0value\\0g";
                            if (!r.startsWith(prefix) || !r.endsWith("-" + i + "\\0\\0")) {
                                wrong.add("key" + i + ": " + r);
                                continue;
                            }
                            int g = Integer.parseInt(r.substring(prefix.length(), r.indexOf('-', prefix.length())));
                            if (g < newest) wrong.add("client " + id + " went back from generation " + newest + " to " + g);
                            newest = Math.max(newest, g);
                            lastSeen[id] = newest;
                        }
                    } catch (Exception e) {
                        wrong.add(e.toString());
                    }
                }));
            }
            for (int g = 1; g < generations; g++) {
                Thread.sleep(300);
                Files.writeString(src, generation(g));
                Postmap.Result r = postmap.run("", "btree:" + src); // rewrites live.db in place under flock
                assertEquals(0, r.exit(), r.stderr());
            }
            long rebuilt = System.nanoTime();
            while (System.nanoTime() - rebuilt < TimeUnit.SECONDS.toNanos(1)) {
                boolean all = true;
                for (int v : lastSeen) all &= v == generations - 1;
                if (all) break;
                Thread.sleep(10);
            }
            long seenAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rebuilt);
            stop.set(true);
            for (Thread t : clients) t.join();
            System.out.println("rebuild under load: " + lookups.get() + " lookups, " + (generations - 1)
                    + " rebuilds, last one seen by every client after " + seenAfterMs + " ms");
            assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())));
            for (int v : lastSeen) assertEquals(generations - 1, v, "a client never saw the last generation");
            assertTrue(lookups.get() > 1000, "lookups " + lookups.get());
        }
    }

    /**
     * The flock is Postfix's: while another process holds the file exclusively (as postmap does
     * while it rewrites it) lookups and updates from many threads wait, and run when it lets go;
     * meanwhile and after, readers and writers of the same table never see a torn or lost value.
     */
    @Test
    void concurrentCallsWaitForAnotherProcesssExclusiveLock() throws Exception {
        Postmap postmap = Postmap.create();
        Path src = postmap.config().resolve("shared");
        Files.writeString(src, generation(0));
        assertEquals(0, postmap.run("", "btree:" + src).exit());
        try (LookupTable t = new BerkeleyDbType.Btree().open(src.toString(), new OpenContext(true, 0, k -> null, null))) {
            Process holder = new ProcessBuilder("flock", "-x", src + ".db", "-c", "echo held; sleep 1").start();
            assertEquals("held", new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine());
            long start = System.nanoTime();
            List<String> wrong = Collections.synchronizedList(new ArrayList<>());
            AtomicLong firstDone = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int id = c;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int n = 0; n < 300; n++) {
                            int i = (n * 31 + id) % KEYS;
                            if (id % 2 == 0) {
                                t.update("w" + id + "-" + n, "v" + n);
                            } else {
                                String v = t.lookup("key" + i + "@example.com");
                                if (!("g0-" + i).equals(v)) wrong.add("key" + i + " -> " + v);
                            }
                            firstDone.compareAndSet(0, System.nanoTime());
                        }
                    } catch (Exception e) {
                        wrong.add(e.toString());
                    }
                }));
            }
            for (Thread th : threads) th.join();
            assertEquals(0, holder.waitFor());
            assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())));
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(firstDone.get() - start);
            assertTrue(waitedMs >= 700, "a call ran while another process held the file exclusively (after " + waitedMs + " ms)");
            for (int id = 0; id < 8; id += 2) assertEquals("v299", t.lookup("w" + id + "-299"));
        }
        assertEquals("v299", postmap.query("btree:" + src, List.of("w6-299")).get("w6-299"));
    }

    /**
     * Updates and deletes from 8 threads at once, committed in groups: each call's own answer
     * (a delete finds what that thread wrote), and afterwards the file holds exactly what
     * was written and not deleted, as postmap reads it.
     */
    @Test
    void concurrentUpdatesAndDeletesCommittedInGroupsAllReachTheFile() throws Exception {
        Postmap postmap = Postmap.create();
        Path map = postmap.config().resolve("group");
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        try (LookupTable t = new BerkeleyDbType.Btree().open(map.toString(), new OpenContext(true, 0, k -> null, null))) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int id = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 300; i++) {
                            t.update("k" + id + "-" + i, "v" + id + "-" + i);
                            if (i % 3 == 0 && !t.delete("k" + id + "-" + i)) wrong.add("delete of k" + id + "-" + i + " found nothing");
                            if (i % 3 == 0 && t.delete("k" + id + "-" + i)) wrong.add("second delete of k" + id + "-" + i + " found it");
                        }
                    } catch (Exception e) {
                        wrong.add(e.toString());
                    }
                }));
            }
            for (Thread w : writers) w.join();
        }
        assertEquals(List.of(), wrong);
        Postmap.Result seq = postmap.run("", "-s", "btree:" + map);
        assertEquals(0, seq.exit(), seq.stderr());
        Set<String> inFile = new HashSet<>(List.of(seq.stdout().strip().split("\n")));
        Set<String> expected = new HashSet<>();
        for (int w = 0; w < 8; w++) for (int i = 0; i < 300; i++) if (i % 3 != 0) expected.add("k" + w + "-" + i + "\tv" + w + "-" + i);
        assertEquals(expected, inFile);
    }

    /** postscreen and verify open their caches with OPEN_LOCK: exclusive for as long as open, never waiting. */
    @Test
    void openLockHoldsTheFileAndASecondOpenFailsAtOnce() throws Exception {
        Postmap postmap = Postmap.create();
        String map = postmap.config().resolve("psc").toString();
        OpenContext locked = new OpenContext(true, org.proxymap.protocol.DictFlags.OPEN_LOCK, k -> null, null);
        try (LookupTable first = new BerkeleyDbType.Btree().open(map, locked)) {
            first.update("1.2.3.4", "0:1:2:3");
            long start = System.nanoTime();
            var e = org.junit.jupiter.api.Assertions.assertThrows(org.proxymap.table.TableOpenException.class,
                    () -> new BerkeleyDbType.Btree().open(map, locked));
            assertTrue(e.getMessage().contains("unable to get exclusive lock"), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the second open waited");
            assertEquals("0:1:2:3", first.lookup("1.2.3.4"));
        }
        try (LookupTable again = new BerkeleyDbType.Btree().open(map, locked)) {
            assertEquals("0:1:2:3", again.lookup("1.2.3.4"));
        }
    }

    /**
     * The child of {@link #killedWriterLosesNoAcknowledgedUpdate}: 8 threads update a btree file
     * (so that updates are committed in groups), each printing a key once its update returned.
     */
    public static void main(String[] args) throws Exception {
        try (LookupTable t = new BerkeleyDbType.Btree().open(args[0], new OpenContext(true, 0, k -> null, null))) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int id = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; ; i++) {
                            t.update("client" + id + "-" + i + "@example.com", i + ":" + System.nanoTime() + ":0:ok");
                            System.out.println(id + "-" + i);
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                }));
            }
            for (Thread w : writers) w.join();
        }
    }

    @Test
    void killedWriterLosesNoAcknowledgedUpdate() throws Exception {
        Postmap postmap = Postmap.create();
        Path map = postmap.config().resolve("cache");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                BerkeleyDbLiveTest.class.getName(), map.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<String> acknowledged = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && acknowledged.size() < 2000) acknowledged.add(line);
            p.destroyForcibly(); // SIGKILL in the middle of the stream: what we read is what was acknowledged
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }
        assertTrue(acknowledged.size() >= 2000, "acknowledged " + acknowledged.size());
        Postmap.Result seq = postmap.run("", "-s", "btree:" + map);
        assertEquals(0, seq.exit(), seq.stderr());
        Set<String> inFile = new HashSet<>();
        for (String l : seq.stdout().split("\n")) {
            if (l.startsWith("client")) inFile.add(l.substring("client".length(), l.indexOf('@')));
        }
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(inFile);
        System.out.println("kill -9: " + acknowledged.size() + " acknowledged updates, " + inFile.size() + " in the file");
        assertEquals(Set.of(), lost);
    }
}
