package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * Damaged hash: and btree: files: truncated at every page boundary, pages overwritten with
 * random bytes, the other type's file, empty and huge keys. The JVM must survive (a crash in
 * libdb would end this test run), and every answer is a value, "not found", or RETRY.
 */
class BerkeleyDbCorruptionTest {
    private static final OpenContext READ = new OpenContext(false, 0, k -> null, null);
    private static final int PAGE = 4096;

    private static Path build(Postmap postmap, String type, int entries) throws Exception {
        Path src = postmap.config().resolve(type + "-src");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < entries; i++) {
            sb.append("key").append(i).append("@example.com\tvalue").append(i).append(i % 50 == 0 ? "y".repeat(5000) : "").append('\n');
        }
        Files.writeString(src, sb);
        Postmap.Result r = postmap.run("", type + ":" + src);
        assertEquals(0, r.exit(), r.stderr());
        return src;
    }

    /** Opens and reads a damaged copy; returns how it ended ("open-failed", "ok", "retry"). */
    private static String exercise(TableType type, Path name) {
        LookupTable t;
        try {
            t = type.open(name.toString(), READ);
        } catch (TableOpenException e) {
            assertTrue(e.getMessage().contains(name + ".db"), e.getMessage());
            return "open-failed";
        }
        String outcome = "ok";
        try (t) {
            for (int i = 0; i < 3000; i += 7) {
                try {
                    // without checksums a changed byte in a value is the value now, for Postfix too
                    t.lookup("key" + i + "@example.com");
                } catch (TableException e) {
                    assertEquals(Status.RETRY, e.status());
                    assertTrue(e.getMessage().contains("postmap " + type.name() + ":"), e.getMessage());
                    outcome = "retry";
                }
            }
            try {
                int n = 0;
                for (Iterator<Map.Entry<String, String>> it = t.entries(); it.hasNext(); it.next()) n++;
                assertTrue(n <= 3000, "entries " + n);
            } catch (TableException e) {
                outcome = "retry";
            }
        }
        return outcome;
    }

    private static void damaged(String typeName, TableType type) throws Exception {
        Postmap postmap = Postmap.create();
        Path src = build(postmap, typeName, 3000);
        byte[] good = Files.readAllBytes(Path.of(src + ".db"));
        assertTrue(good.length > 20 * PAGE, "file of " + good.length + " bytes");
        Path copy = postmap.config().resolve("damaged");
        Path db = Path.of(copy + ".db");
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        // truncated at every page boundary (and in the middle of the first pages)
        for (int len = 0; len < good.length; len += PAGE) {
            for (int cut : new int[] {len, len + PAGE / 2}) {
                if (cut >= good.length) continue;
                Files.write(db, Arrays.copyOf(good, cut));
                outcomes.merge("truncated " + exercise(type, copy), 1, Integer::sum);
            }
        }
        // random bytes over one page (the meta page too), or a few scattered bytes
        Random r = new Random(typeName.hashCode());
        for (int round = 0; round < 120; round++) {
            byte[] bad = good.clone();
            if (round % 2 == 0) {
                int page = round < 10 ? round / 2 : r.nextInt(good.length / PAGE);
                byte[] junk = new byte[PAGE];
                r.nextBytes(junk);
                System.arraycopy(junk, 0, bad, page * PAGE, Math.min(PAGE, bad.length - page * PAGE));
            } else {
                for (int k = 0; k < 16; k++) bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
            }
            Files.write(db, bad);
            outcomes.merge("random " + exercise(type, copy), 1, Integer::sum);
        }
        System.out.println(typeName + " damaged files: " + outcomes);
        assertTrue(outcomes.keySet().stream().anyMatch(k -> k.endsWith("open-failed")), outcomes.toString());
    }

    @Test
    void damagedBtreeFilesNeverCrash() throws Exception {
        damaged("btree", new BerkeleyDbType.Btree());
    }

    @Test
    void damagedHashFilesNeverCrash() throws Exception {
        damaged("hash", new BerkeleyDbType.Hash());
    }

    @Test
    void otherTypeEmptyAndHugeKeys() throws Exception {
        Postmap postmap = Postmap.create();
        Path src = build(postmap, "hash", 10);
        TableOpenException e = org.junit.jupiter.api.Assertions.assertThrows(TableOpenException.class,
                () -> new BerkeleyDbType.Btree().open(src.toString(), READ));
        assertTrue(e.getMessage().contains(src + ".db") && e.getMessage().contains("postmap btree:" + src), e.getMessage());
        Path w = postmap.config().resolve("rw");
        try (LookupTable t = new BerkeleyDbType.Btree().open(w.toString(), new OpenContext(true, 0, k -> null, null))) {
            String big = "k".repeat(1 << 20);
            String bigValue = "v".repeat(1 << 20);
            t.update(big, bigValue);
            t.update("", "empty key");
            assertEquals(bigValue, t.lookup(big));
            assertEquals("empty key", t.lookup(""));
            assertEquals(null, t.lookup(big + "x"));
        }
        // postmap reads the 1 MB entry we wrote
        Postmap.Result r = postmap.run("k".repeat(1 << 20) + "\n", "-q", "-", "btree:" + w);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals((1 << 20) * 2 + 2, r.stdout().length());
        assertTrue(r.stdout().getBytes(StandardCharsets.ISO_8859_1).length > 0);
    }

    @Test
    void unreadableFileListsItsPath() {
        TableOpenException e = org.junit.jupiter.api.Assertions.assertThrows(TableOpenException.class,
                () -> new BerkeleyDbType.Hash().open("/nonexistent/dir/map", READ));
        assertEquals("open database /nonexistent/dir/map.db: No such file or directory", e.getMessage());
        assertTrue(List.of("hash", "btree").contains(new BerkeleyDbType.Hash().name()));
    }
}
