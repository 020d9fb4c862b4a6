package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.testing.TestServer;

/**
 * A cdb file made by the real {@code postmap cdb:FILE}, damaged in a few hundred ways
 * (truncated, random bytes, header and record sizes that point past the end or announce
 * 4 GB): every open either fails with a reason or gives a table whose lookups and sequence
 * answer a value, not-found or RETRY naming the file; never another exception, an
 * OutOfMemoryError or a crash.
 */
class CdbCorruptionTest {
    static final OpenContext READ = new OpenContext(false, 0, k -> null, null);

    @Test
    void damagedFilesGiveRetryNeverACrash(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("good");
        StringBuilder text = new StringBuilder();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            keys.add("key" + i + "@example.com");
            text.append("key").append(i).append("@example.com value-").append(i).append('\n');
        }
        keys.add("absent@example.com");
        Files.writeString(source, text);
        assertEquals(0, Postmap.create().run("", "cdb:" + source).exit());
        byte[] good = Files.readAllBytes(dir.resolve("good.cdb"));
        assertTrue(good.length > 4096, "postmap made " + good.length + " bytes");

        Random r = new Random(18);
        int opened = 0, refused = 0, retries = 0, answered = 0;
        for (int v = 0; v < 400; v++) {
            byte[] bad = damage(good, r, v);
            Path name = dir.resolve("bad" + v);
            Files.write(dir.resolve("bad" + v + ".cdb"), bad);
            LookupTable t;
            try {
                t = new CdbType().open(name.toString(), READ);
                opened++;
            } catch (TableOpenException e) {
                assertTrue(e.getMessage().contains(name + ".cdb"), e.getMessage());
                refused++;
                continue;
            }
            try {
                for (String k : keys) {
                    try {
                        t.lookup(k);
                        answered++;
                    } catch (TableException e) {
                        assertEquals(Status.RETRY, e.status(), e.getMessage());
                        assertTrue(e.getMessage().contains(name + ".cdb"), e.getMessage());
                        retries++;
                    }
                }
                try {
                    for (Iterator<Map.Entry<String, String>> it = t.entries(); it.hasNext(); ) it.next();
                } catch (TableException e) {
                    assertEquals(Status.RETRY, e.status(), e.getMessage());
                    retries++;
                }
            } catch (RuntimeException | Error e) {
                fail("variant " + v + " (" + bad.length + " bytes): " + e, e);
            } finally {
                t.close();
            }
        }
        System.out.printf("cdb fuzz: 400 variants, %d opened, %d refused at open, %d lookups answered, %d RETRY%n",
                opened, refused, answered, retries);
        assertTrue(retries > 100, "the damage was seen: " + retries);
        assertTrue(opened > 200, "most variants open: " + opened);
    }

    /** One damaged copy; the kind of damage cycles with {@code v}. */
    static byte[] damage(byte[] good, Random r, int v) {
        byte[] b = good.clone();
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (v % 6) {
            case 0 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncated anywhere
            case 1 -> { for (int i = 0; i < 1 + r.nextInt(20); i++) b[r.nextInt(b.length)] = (byte) r.nextInt(256); }
            case 2 -> r.nextBytes(b); // random bytes of the same size
            case 3 -> { // a header entry: table position or length past the end, or huge
                int slot = r.nextInt(256) * 8 + (r.nextBoolean() ? 0 : 4);
                le.putInt(slot, r.nextBoolean() ? -1 - r.nextInt(1000) : b.length + r.nextInt(1 << 20));
            }
            case 4 -> { // a record's key or data length announcing up to 4 GB
                int p = 2048 + r.nextInt(Math.max(1, b.length - 2048 - 8));
                le.putInt(p, r.nextBoolean() ? -1 : r.nextInt());
            }
            default -> { // a hash-table slot pointing anywhere
                int firstTable = le.getInt(0);
                int p = firstTable + 8 * r.nextInt(Math.max(1, (b.length - firstTable) / 8 - 1)) + 4;
                if (p + 4 <= b.length) le.putInt(p, r.nextInt());
            }
        }
        return b;
    }

    @Test
    void throughTheDaemonADamagedFileAnswersRetryAndServesOthers() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:cdb:${config_directory}/bad proxy:cdb:${config_directory}/ok");
        Postmap postmap = Postmap.create();
        Files.writeString(dir.resolve("etc/ok"), "a b\n");
        assertEquals(0, postmap.run("", "cdb:" + dir.resolve("etc/ok")).exit());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 50; i++) text.append("k").append(i).append(" v\n");
        Files.writeString(dir.resolve("etc/bad"), text);
        assertEquals(0, postmap.run("", "cdb:" + dir.resolve("etc/bad")).exit());
        Path cdb = dir.resolve("etc/bad.cdb");
        byte[] b = Files.readAllBytes(cdb);
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < 256; t++) le.putInt(t * 8, 0x7ffffff0); // every hash table past the end
        Files.write(cdb, b);
        try (TestServer s = TestServer.start(dir)) {
            Postmap direct = Postmap.at(s.etc);
            Postmap.Result bad = direct.run("k1\n", "-q", "-", "proxy:cdb:" + dir.resolve("etc/bad"));
            assertEquals("", bad.stdout());
            assertTrue(bad.exit() != 0 || bad.stderr().contains("lookup"), bad.stderr());
            assertEquals("a\tb\n", direct.run("a\n", "-q", "-", "proxy:cdb:" + dir.resolve("etc/ok")).stdout());
        }
    }
}
