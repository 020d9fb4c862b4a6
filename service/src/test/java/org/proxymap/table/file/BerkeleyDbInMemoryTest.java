package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableType;

/**
 * A read-only hash:/btree: table read into memory (ResidentCopy): the same answers as the
 * library's for files made by Debian's postmap; a change made by another handle or process
 * seen by the very next lookup; nothing held in memory over the size limit or for proxywrite.
 */
class BerkeleyDbInMemoryTest {
    private static final String LIMIT = "proxymap_db_in_memory_max_size";

    private static OpenContext readOnly(long limit) {
        return new OpenContext(false, 0, k -> k.equals(LIMIT) ? Long.toString(limit) : null, null);
    }

    private static OpenContext readOnly(long limit, int flags) {
        return new OpenContext(false, flags, k -> k.equals(LIMIT) ? Long.toString(limit) : null, null);
    }

    /** Waits until the file is a second old and {@code t} has read it into memory. */
    private static void awaitInMemory(LookupTable t, String anyKey) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!BerkeleyDbType.answersFromMemory(t)) {
            assertTrue(System.nanoTime() < deadline, "the table was not read into memory within 10 s");
            t.lookup(anyKey);
            Thread.sleep(20);
        }
    }

    /** {@code name} in postmap's directory, with {@code text}, made into a {@code type} file by postmap. */
    private static Path built(Postmap postmap, String type, String name, String text) throws Exception {
        Path src = postmap.config().resolve(name);
        Files.writeString(src, text, java.nio.charset.StandardCharsets.ISO_8859_1);
        Postmap.Result made = postmap.run("", type + ":" + src);
        assertEquals(0, made.exit(), made.stderr());
        return src;
    }

    private static String source(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i % 3 == 0 ? "User" : "user").append(i).append("@Example.COM\tvalue, ").append(i).append(" é")
                    .append(i % 100 == 0 ? "x".repeat(3000) : "").append('\n');
        }
        return sb.toString();
    }

    @Test
    void answersAsTheLibraryDoesForFilesMadeByPostmap() throws Exception {
        Postmap postmap = Postmap.create();
        int n = 3000;
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n + 50; i++) {
            keys.add((i % 3 == 0 ? "User" : "user") + i + "@Example.COM");
            keys.add("user" + i + "@example.com");
        }
        keys.add("");
        keys.add("user1@Example.COM\0");
        for (String type : List.of("btree", "hash")) {
            for (String nulOption : List.of("-N", "-n")) {
                Path src = postmap.config().resolve(type + nulOption);
                Files.writeString(src, source(n), java.nio.charset.StandardCharsets.ISO_8859_1);
                Postmap.Result made = postmap.run("", nulOption, type + ":" + src);
                assertEquals(0, made.exit(), made.stderr());
                TableType tt = type.equals("btree") ? new BerkeleyDbType.Btree() : new BerkeleyDbType.Hash();
                for (int flags : new int[] {0, DictFlags.TRY0NULL, DictFlags.TRY1NULL}) {
                    try (LookupTable memory = tt.open(src.toString(), readOnly(1 << 30, flags));
                         LookupTable file = tt.open(src.toString(), readOnly(0, flags))) {
                        awaitInMemory(memory, keys.get(0));
                        assertFalse(BerkeleyDbType.answersFromMemory(file));
                        int found = 0;
                        for (String k : keys) {
                            String expected = file.lookup(k);
                            assertEquals(expected, memory.lookup(k), type + " " + nulOption + " flags " + flags + " key " + k);
                            if (expected != null) found++;
                        }
                        assertEquals(file.implFlags(), memory.implFlags(), "the NUL form learnt");
                        assertTrue(BerkeleyDbType.answersFromMemory(memory));
                        if ((nulOption.equals("-N") ? DictFlags.TRY0NULL : DictFlags.TRY1NULL) != flags) {
                            assertEquals(n, found, type + " " + nulOption + " flags " + flags);
                        }
                    }
                }
            }
        }
    }

    /**
     * Updates through another handle (a proxywrite table of the same file) and by another
     * process (postmap -i), each looked up at once: never the value from before.
     */
    @Test
    void aChangeIsSeenByTheVeryNextLookup() throws Exception {
        Postmap postmap = Postmap.create();
        Path src = built(postmap, "btree", "changing", source(500));
        BerkeleyDbType btree = new BerkeleyDbType.Btree();
        try (LookupTable reader = btree.open(src.toString(), readOnly(1 << 30));
             LookupTable writer = btree.open(src.toString(), new OpenContext(true, 0, k -> null, null))) {
            awaitInMemory(reader, "user1@example.com");
            assertEquals("value, 1 é", reader.lookup("user1@example.com"));
            for (int i = 0; i < 300; i++) {
                writer.update("user1@example.com", "v" + i);
                assertEquals("v" + i, reader.lookup("user1@example.com"), "update " + i);
            }
            awaitInMemory(reader, "user1@example.com"); // still again for a second: read again
            assertEquals("v299", reader.lookup("user1@example.com"));
            Postmap.Result added = postmap.run("added@example.com fresh\n", "-i", "btree:" + src);
            assertEquals(0, added.exit(), added.stderr());
            assertEquals("fresh", reader.lookup("added@example.com"));
            assertFalse(BerkeleyDbType.answersFromMemory(reader));
            Files.writeString(src, "user1@example.com rebuilt\n", java.nio.charset.StandardCharsets.ISO_8859_1);
            assertEquals(0, postmap.run("", "btree:" + src).exit());
            assertEquals("rebuilt", reader.lookup("user1@example.com"));
            assertEquals(null, reader.lookup("user2@example.com"));
        }
    }

    /**
     * A file made elsewhere and moved over the table's (as a deployment tool does), then
     * removed: read at the next lookup, from memory or from the library; once removed and not
     * replaced, what is open keeps answering.
     */
    @Test
    void aFileMovedOverTheTableIsReadAtTheNextLookup() throws Exception {
        Postmap postmap = Postmap.create();
        Path src = built(postmap, "btree", "moved", "k old\n");
        Path staged = built(postmap, "btree", "staged", "k new\n");
        BerkeleyDbType btree = new BerkeleyDbType.Btree();
        try (LookupTable memory = btree.open(src.toString(), readOnly(1 << 30));
             LookupTable file = btree.open(src.toString(), readOnly(0))) {
            awaitInMemory(memory, "k");
            assertEquals("old", memory.lookup("k"));
            assertEquals("old", file.lookup("k"));
            Files.move(Path.of(staged + ".db"), Path.of(src + ".db"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Thread.sleep(2); // another process's change: seen once the last check is a millisecond old
            assertEquals("new", memory.lookup("k"));
            assertEquals("new", file.lookup("k"));
            assertFalse(BerkeleyDbType.answersFromMemory(memory));
            awaitInMemory(memory, "k");
            Files.delete(Path.of(src + ".db"));
            Thread.sleep(2);
            assertEquals("new", memory.lookup("k"));
            assertEquals("new", file.lookup("k"));
            assertFalse(BerkeleyDbType.answersFromMemory(memory));
        }
    }

    /** Copies of other tables have taken the process's budget: this one reads its file. */
    @Test
    void aTableFindingNoRoomInTheBudgetReadsItsFile() throws Exception {
        Postmap postmap = Postmap.create();
        Path src = built(postmap, "btree", "crowded", source(300));
        Thread.sleep(ResidentCopy.SETTLED_MILLIS + 200);
        long need = CopyBudget.forFile(Files.size(Path.of(src + ".db")));
        long taken = CopyBudget.PROCESS.limit() - CopyBudget.PROCESS.reserved() - need + 1;
        assertTrue(CopyBudget.PROCESS.reserve(taken));
        try (LookupTable t = new BerkeleyDbType.Btree().open(src.toString(), readOnly(1 << 30))) {
            for (int i = 0; i < 50; i++) {
                assertEquals("value, 1 é", t.lookup("user1@example.com"));
                Thread.sleep(10);
            }
            assertFalse(BerkeleyDbType.answersFromMemory(t));
        } finally {
            CopyBudget.PROCESS.release(taken);
        }
        long before = CopyBudget.PROCESS.reserved();
        try (LookupTable t = new BerkeleyDbType.Btree().open(src.toString(), readOnly(1 << 30))) {
            awaitInMemory(t, "user1@example.com");
            assertEquals(before + need, CopyBudget.PROCESS.reserved());
        }
        assertEquals(before, CopyBudget.PROCESS.reserved(), "closing the table gave the copy's reservation back");
    }

    @Test
    void nothingIsHeldInMemoryOverTheLimitOrForProxywrite() throws Exception {
        Postmap postmap = Postmap.create();
        Path src = built(postmap, "hash", "big", source(200));
        Thread.sleep(ResidentCopy.SETTLED_MILLIS + 200);
        long size = Files.size(Path.of(src + ".db"));
        BerkeleyDbType hash = new BerkeleyDbType.Hash();
        try (LookupTable over = hash.open(src.toString(), readOnly(size - 1));
             LookupTable writable = hash.open(src.toString(), new OpenContext(true, 0, k -> k.equals(LIMIT) ? "999999999" : null, null));
             LookupTable fits = hash.open(src.toString(), readOnly(size))) {
            awaitInMemory(fits, "user1@example.com");
            for (int i = 0; i < 50; i++) {
                assertEquals("value, 1 é", over.lookup("user1@example.com"));
                assertEquals("value, 1 é", writable.lookup("user1@example.com"));
                Thread.sleep(10);
            }
            assertFalse(BerkeleyDbType.answersFromMemory(over));
            assertFalse(BerkeleyDbType.answersFromMemory(writable));
        }
    }

    /**
     * The documented difference: while another holder of the file's exclusive lock (here a
     * proxywrite table opened with OPEN_LOCK, as postscreen's cache is) has not written yet, a
     * lookup answers from the unchanged file at once, where Postfix's would wait; its first
     * write sends lookups to the file, which wait for the lock and then read the write.
     */
    @Test
    void anUnchangedFileAnswersWhileAnotherHolderOfItsLockHasNotWritten() throws Exception {
        Postmap postmap = Postmap.create();
        Path src = built(postmap, "btree", "held", "k before\n");
        BerkeleyDbType btree = new BerkeleyDbType.Btree();
        try (LookupTable t = btree.open(src.toString(), readOnly(1 << 30))) {
            awaitInMemory(t, "k");
            java.util.concurrent.CompletableFuture<String> waiting;
            try (LookupTable holder = btree.open(src.toString(), new OpenContext(true, DictFlags.OPEN_LOCK, k -> null, null))) {
                long start = System.nanoTime();
                assertEquals("before", t.lookup("k"));
                assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 200, "answered without waiting");
                holder.update("k", "after");
                waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return t.lookup("k");
                    } catch (Exception e) {
                        return e.toString();
                    }
                });
                Thread.sleep(300);
                assertFalse(waiting.isDone(), "a lookup after the write waits for the writer's lock");
            }
            assertEquals("after", waiting.get(10, TimeUnit.SECONDS));
        }
    }
}
