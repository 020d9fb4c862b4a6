package org.proxymap.table.memcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.testing.Memcached;
import org.proxymap.testing.Require;
import org.proxymap.testing.SocketTableServer;

/** memcache tables against a throwaway memcached, and against servers that misbehave. */
class MemcacheTableTest {
    private static Memcached mc;
    @TempDir
    Path dir;
    private final MemcacheType type = new MemcacheType();
    private final OpenContext ro = new OpenContext(false, 0, n -> null, new SharedResources());
    private final OpenContext rw = new OpenContext(true, 0, n -> null, new SharedResources());

    @BeforeAll
    static void startMemcached() throws Exception {
        mc = Memcached.start();
    }

    @AfterAll
    static void stopMemcached() throws Exception {
        if (mc != null) mc.close();
    }

    @BeforeEach
    void flush() throws Exception {
        mc.flush();
    }

    private String cf(String body) throws Exception {
        Path f = Files.createTempFile(dir, "mc", ".cf");
        Files.writeString(f, body);
        return f.toString();
    }

    private Path backupFile() throws Exception {
        return Files.writeString(dir.resolve("backup"), "alice@example.com alice@backup.example\nbob@example.com bob@backup.example\n");
    }

    @Test
    void hitsMissesAndKeyFormat() throws Exception {
        mc.set("alice@example.com", "from-memcache");
        mc.set("pfx-bob@example.com", "prefixed");
        try (LookupTable t = type.open(cf("memcache = " + mc.endpoint() + "\n"), ro)) {
            assertEquals("from-memcache", t.lookup("alice@example.com"));
            assertNull(t.lookup("nobody@example.com"));
            assertNull(t.lookup("has space"), "a key with white space is skipped");
        }
        try (LookupTable t = type.open(cf("memcache = " + mc.endpoint() + "\nkey_format = pfx-%u@%d\n"), ro)) {
            assertEquals("prefixed", t.lookup("bob@example.com"));
            assertNull(t.lookup("bob"), "%d needs a domain: skipped");
        }
    }

    @Test
    void backupFallbackAndWriteBack() throws Exception {
        String f = cf("memcache = " + mc.endpoint() + "\nbackup = proxy:texthash:" + backupFile() + "\nttl = 60\n");
        try (LookupTable t = type.open(f, ro)) {
            assertNull(mc.get("alice@example.com"));
            assertEquals("alice@backup.example", t.lookup("alice@example.com"));
            assertEquals("alice@backup.example", mc.get("alice@example.com"), "a backup hit is written back");
            mc.set("alice@example.com", "cached");
            assertEquals("cached", t.lookup("alice@example.com"), "memcache first");
            assertNull(t.lookup("nobody@example.com"));
            assertNull(mc.get("nobody@example.com"), "a miss is not cached");
        }
    }

    @Test
    void tooLongForMemcacheIsNotStored() throws Exception {
        String f = cf("memcache = " + mc.endpoint() + "\nbackup = texthash:" + backupFile() + "\ndata_size_limit = 10\n");
        try (LookupTable t = type.open(f, ro)) {
            assertEquals("alice@backup.example", t.lookup("alice@example.com"));
            assertNull(mc.get("alice@example.com"));
        }
    }

    @Test
    void updateAndDeleteThroughProxywrite() throws Exception {
        try (LookupTable t = type.open(cf("memcache = " + mc.endpoint() + "\nkey_format = k:%s\n"), rw)) {
            t.update("carol@example.com", "carol-value");
            assertEquals("carol-value", mc.get("k:carol@example.com"));
            assertEquals("carol-value", t.lookup("carol@example.com"));
            assertTrue(t.delete("carol@example.com"));
            assertFalse(t.delete("carol@example.com"));
            TableException e = assertThrows(TableException.class, () -> t.update("with space", "v"));
            assertEquals(Status.NOKEY, e.status(), "Postfix: not stored, no error");
            assertFalse(t.entries().hasNext(), "sequence needs a backup");
        }
    }

    /** The hex digest as OpenSSL (which Postfix calls) computes it: {@code openssl dgst -NAME}. */
    private static String openssl(String digest, String data) throws Exception {
        Process p = new ProcessBuilder(Require.executable("/usr/bin/openssl").toString(), "dgst", "-" + digest, "-r").start();
        try (var in = p.getOutputStream()) {
            in.write(data.getBytes(StandardCharsets.ISO_8859_1));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor());
        return out.substring(0, out.indexOf(' '));
    }

    /**
     * key_digest (Postfix 3.11): the key_format expansion through the named OpenSSL digest, in
     * lowercase hex, so that keys longer than memcached's 250 bytes work; OpenSSL's names and
     * aliases in any case; an unknown name is a definition error at its line.
     */
    @Test
    void keyDigest() throws Exception {
        String longKey = "x".repeat(300) + "@example.com";
        try (LookupTable t = type.open(cf("memcache = " + mc.endpoint() + "\nkey_format = k:%s\nkey_digest = sha256\n"), rw)) {
            t.update("carol@example.com", "carol-value");
            assertEquals("carol-value", mc.get(openssl("sha256", "k:carol@example.com")));
            assertNull(mc.get("k:carol@example.com"));
            assertEquals("carol-value", t.lookup("carol@example.com"));
            t.update(longKey, "long-value");
            assertEquals("long-value", t.lookup(longKey));
            assertTrue(t.delete("carol@example.com"));
            assertNull(t.lookup("carol@example.com"));
        }
        try (LookupTable t = type.open(cf("memcache = " + mc.endpoint() + "\n"), rw)) {
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup(longKey)).status(),
                    "without a digest memcached refuses a 312-byte key");
        }
        for (String[] alias : new String[][] {{"SHA2-512", "sha512"}, {"md5", "md5"}, {"sha3-256", "sha3-256"}, {"SHA512-256", "sha512-256"}}) {
            mc.set(openssl(alias[1], "dave@example.com"), "dave-" + alias[1]);
            try (LookupTable t = type.open(cf("memcache = " + mc.endpoint() + "\nkey_digest = " + alias[0] + "\n"), ro)) {
                assertEquals("dave-" + alias[1], t.lookup("dave@example.com"), alias[0]);
            }
        }
        String bad = cf("memcache = " + mc.endpoint() + "\n\nkey_digest = whirlpool\n");
        TableOpenException e = assertThrows(TableOpenException.class, () -> type.open(bad, ro));
        assertTrue(e.getMessage().contains(bad + ", line 3") && e.getMessage().contains("unsupported key_digest = whirlpool"), e.getMessage());
    }

    @Test
    void unixSocketEndpoint() throws Exception {
        Path sock = Files.createTempDirectory(Path.of("/tmp"), "mcsock").resolve("mc.sock");
        Files.setPosixFilePermissions(sock.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        try (Memcached unix = Memcached.startUnix(sock);
             LookupTable w = type.open(cf("memcache = unix:" + sock + "\n"), rw);
             LookupTable r = type.open(cf("memcache = unix:" + sock + "\n"), ro)) {
            w.update("dave@example.com", "over-unix");
            assertEquals("over-unix", r.lookup("dave@example.com"));
            assertNull(mc.get("dave@example.com"), "not the TCP memcached");
        } finally {
            org.proxymap.testing.Trees.delete(sock.getParent());
        }
    }

    @Test
    void writableBackupGetsUpdatesDeletesAndServesSequence() throws Exception {
        Path lmdb = dir.resolve("cache");
        String f = cf("memcache = " + mc.endpoint() + "\nbackup = proxy:lmdb:" + lmdb + "\n");
        try (LookupTable t = type.open(f, rw)) {
            t.update("erin@example.com", "erin-value");
            assertEquals("erin-value", mc.get("erin@example.com"), "memcache first");
            mc.call("delete erin@example.com");
            assertEquals("erin-value", t.lookup("erin@example.com"), "then the backup, written back");
            assertEquals("erin-value", mc.get("erin@example.com"));
            var it = t.entries();
            assertTrue(it.hasNext());
            assertEquals("erin@example.com", it.next().getKey(), "sequence is the backup's");
            assertTrue(t.delete("erin@example.com"));
            assertNull(mc.get("erin@example.com"));
            assertFalse(t.delete("erin@example.com"), "the backup's answer wins");
            assertNull(t.lookup("erin@example.com"));
        }
        assertTrue(Files.exists(Path.of(lmdb + ".lmdb")), "the backup is a real lmdb file");
    }

    @Test
    void domainFilter() throws Exception {
        mc.set("a@example.com", "in");
        mc.set("a@other.example", "out");
        try (LookupTable t = type.open(cf("memcache = " + mc.endpoint() + "\ndomain = example.com\n"), ro)) {
            assertEquals("in", t.lookup("a@example.com"));
            assertNull(t.lookup("a@other.example"));
        }
    }

    @Test
    void downServerIsRetryWithoutBackupAndTheBackupWithOne() throws Exception {
        int dead;
        try (var s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        try (LookupTable t = type.open(cf("memcache = inet:127.0.0.1:" + dead + "\n"), ro)) {
            long start = System.nanoTime();
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("alice@example.com")).status());
            assertTrue(System.nanoTime() - start < 2_000_000_000L, "a refused connect ends the tries");
        }
        try (LookupTable t = type.open(cf("memcache = inet:127.0.0.1:" + dead + "\nbackup = texthash:" + backupFile() + "\n"), ro)) {
            assertEquals("alice@backup.example", t.lookup("alice@example.com"));
        }
    }

    /** Each hostile server: RETRY within max_try * timeout + retry_pause (1 s each here), and a new connection per try. */
    @Test
    void hostileServersAreRetryWithinTheTimeout() throws Exception {
        for (SocketTableServer.Hostile mode : SocketTableServer.Hostile.values()) {
            try (SocketTableServer h = SocketTableServer.inet(SocketTableServer.hostile(mode));
                 LookupTable t = type.open(cf("memcache = inet:127.0.0.1:" + h.port() + "\ntimeout = 1\n"), ro)) {
                long start = System.nanoTime();
                TableException e = assertThrows(TableException.class, () -> t.lookup("alice@example.com"), mode.name());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(Status.RETRY, e.status(), mode.name());
                assertTrue(millis < 3_500, mode + " answered in " + millis + " ms");
                assertEquals(2, h.accepted.get(), mode + ": max_try 2, reconnecting after each failure");
            }
        }
    }

    @Test
    void reloadSeesTheDefinitionAndTheBackupChange() throws Exception {
        Path backup = backupFile();
        String f = cf("memcache = " + mc.endpoint() + "\nbackup = proxy:texthash:" + backup + "\n");
        String before = type.fingerprint(f, ro);
        assertEquals(before, type.fingerprint(f, ro));
        Files.writeString(backup, "new@example.com new\n");
        String afterBackup = type.fingerprint(f, ro);
        assertTrue(!afterBackup.equals(before), "a changed backup file re-opens the table");
        Files.writeString(Path.of(f), "memcache = " + mc.endpoint() + "\nttl = 5\nbackup = proxy:texthash:" + backup + "\n");
        assertTrue(!type.fingerprint(f, ro).equals(afterBackup), "a changed .cf re-opens the table");
    }

    @Test
    void valueLengthParsesAsSscanf() {
        assertEquals(5, MemcacheTable.valueLength("VALUE k 0 5"));
        assertEquals(5, MemcacheTable.valueLength("VALUE k 0 5 123"));
        assertEquals(7, MemcacheTable.valueLength("VALUE  k  0  7abc"));
        assertEquals(-1, MemcacheTable.valueLength("VALUE k 0"));
        assertEquals(-1, MemcacheTable.valueLength("VALUE k 0 x"));
        assertEquals(-1, MemcacheTable.valueLength("STORED"));
    }

    @Test
    void checkNamesFileAndLine() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.cf"), "# c\nmemcache = tcp:host:1\n");
        assertTrue(type.check(f.toString(), ro).get(0).startsWith(f + ", line 2: memcache = tcp:host:1: invalid transport name"),
                type.check(f.toString(), ro).toString());
        Files.writeString(f, "max_try = 0\n");
        assertTrue(type.check(f.toString(), ro).get(0).startsWith(f + ", line 1: invalid max_try parameter value 0 < 1"));
        Files.writeString(f, "key_format = %x\n");
        assertTrue(type.check(f.toString(), ro).get(0).startsWith(f + ", line 1: invalid key_format template"),
                type.check(f.toString(), ro).toString());
        Files.writeString(f, "backup = nosuch:/x\n");
        assertTrue(type.check(f.toString(), ro).get(0).contains("backup = nosuch:/x: unsupported dictionary type"));
        Files.writeString(f, "memcache = " + mc.endpoint() + "\n");
        assertEquals(List.of(), type.probe(f.toString(), ro));
    }
}
