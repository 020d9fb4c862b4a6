package org.proxymap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.config.ConfigException;
import org.proxymap.config.ServiceConfig;
import org.proxymap.protocol.DictFlags;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableHandle;
import org.proxymap.table.TableRegistry;
import org.proxymap.table.TableType;

/**
 * The lookup cache in the dispatcher, with a fake table that counts its lookups and can be
 * made to fail or to block: hits, expiry, negative answers, invalidation by update and delete,
 * serve-stale, coalescing, and the configuration checks of proxymap_cache_maps.
 */
class CachedLookupTest {
    /** A table that counts lookups; {@code down} makes it answer RETRY; {@code gate} holds lookups. */
    static final class CountingTable implements LookupTable {
        final Map<String, String> map = new ConcurrentHashMap<>(Map.of("alice", "a", "bob", "b"));
        final AtomicInteger lookups = new AtomicInteger();
        volatile boolean down;
        volatile CountDownLatch gate;

        @Override public int implFlags() { return DictFlags.FIXED; }

        @Override
        public String lookup(String key) throws TableException {
            lookups.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    throw TableException.retry("interrupted");
                }
            }
            if (down) throw TableException.retry("database is down");
            return map.get(key);
        }

        @Override public void update(String key, String value) { map.put(key, value); }

        @Override public boolean delete(String key) { return map.remove(key) != null; }
    }

    @TempDir
    Path dir;

    private final Map<String, CountingTable> tables = new ConcurrentHashMap<>();
    private volatile ServiceState state;
    private TableRegistry registry;
    private Dispatcher dispatcher;
    private final Session read = new Session(false, "proxymap");
    private final Session write = new Session(true, "proxywrite");

    private ServiceConfig config(String proxymapCf) throws Exception {
        Files.writeString(dir.resolve("main.cf"), """
                queue_directory = /tmp/nowhere
                proxy_read_maps = proxy:fake:/t proxy:fake:/other $proxy_write_maps
                proxy_write_maps = proxy:fake:/w
                """);
        Files.writeString(dir.resolve("proxymap.cf"), proxymapCf);
        return ServiceConfig.load(dir);
    }

    private void start(String proxymapCf) throws Exception {
        state = new ServiceState(config(proxymapCf), 1);
        TableType fake = new TableType() {
            @Override public String name() { return "fake"; }

            @Override
            public LookupTable open(String n, OpenContext c) {
                return tables.computeIfAbsent(n, k -> new CountingTable());
            }
        };
        registry = new TableRegistry(Map.of("fake", fake), state.config().parameters());
        dispatcher = new Dispatcher(registry, new ServerCounters(), () -> state);
    }

    private Reply lookup(String table, String key) {
        return dispatcher.handle(new Request.Lookup(Dialect.C, table, 0, DictFlags.FOLD_FIX, key), read);
    }

    private TableHandle handle(String table) {
        return registry.handles().stream().filter(h -> h.fullName().equals(table) && !h.writable()).findFirst().orElseThrow();
    }

    @Test
    void hitsAskTheTableOnceAndUncachedTablesEveryTime() throws Exception {
        start("proxymap_cache_maps = proxy:fake:/t\n");
        for (int i = 0; i < 5; i++) {
            assertEquals("a", lookup("fake:/t", "alice").value());
            assertEquals("a", lookup("fake:/other", "alice").value());
        }
        assertEquals(1, tables.get("/t").lookups.get(), "only the first lookup of a cached table asks it");
        assertEquals(5, tables.get("/other").lookups.get(), "a table not in proxymap_cache_maps is asked every time");
        var c = handle("fake:/t").counters();
        assertEquals(4, c.cacheHits.sum());
        assertEquals(1, c.cacheMisses.sum());
        assertEquals(5, c.hits.sum(), "the table's own found counter counts cached answers too");
        assertEquals(1, dispatcher.cacheEntries(handle("fake:/t")));
        assertEquals(0, dispatcher.cacheEntries(handle("fake:/other")));
        assertEquals("a", lookup("fake:/t", "ALICE").value(), "the key as the table sees it (folded) is the cache key");
        assertEquals(1, tables.get("/t").lookups.get());
    }

    @Test
    void negativeAnswersAndExpiry() throws Exception {
        start("proxymap_cache_maps = fake:/t\nproxymap_cache_ttl = 1s\nproxymap_cache_negative_ttl = 1s\n");
        CountingTable t;
        assertEquals(Status.NOKEY, lookup("fake:/t", "nobody").status());
        t = tables.get("/t");
        assertEquals(Status.NOKEY, lookup("fake:/t", "nobody").status());
        assertEquals(1, t.lookups.get(), "not found is cached too");
        t.map.put("nobody", "now");
        assertEquals(Status.NOKEY, lookup("fake:/t", "nobody").status(), "still the cached negative answer");
        assertEquals("a", lookup("fake:/t", "alice").value());
        Thread.sleep(1100);
        assertEquals("now", lookup("fake:/t", "nobody").value(), "after the negative TTL the table is asked again");
        assertEquals("a", lookup("fake:/t", "alice").value());
        assertEquals(4, t.lookups.get());
    }

    @Test
    void updateAndDeleteThroughProxywriteInvalidate() throws Exception {
        start("proxymap_cache_maps = fake:/w\n");
        assertEquals("a", lookup("fake:/w", "alice").value());
        assertEquals(Status.OK, dispatcher.handle(
                new Request.Update(Dialect.C, "fake:/w", 0, DictFlags.FOLD_FIX, "alice", "changed"), write).status());
        assertEquals("changed", lookup("fake:/w", "alice").value(), "the read instance forgot the key its writer changed");
        assertEquals(Status.OK, dispatcher.handle(
                new Request.Delete(Dialect.C, "fake:/w", 0, DictFlags.FOLD_FIX, "alice"), write).status());
        assertEquals(Status.NOKEY, lookup("fake:/w", "alice").status());
        assertEquals(3, tables.get("/w").lookups.get());
    }

    @Test
    void staleAnswersWhileTheTableAnswersRetryNewKeysRetry() throws Exception {
        start("proxymap_cache_maps = fake:/t\nproxymap_cache_ttl = 1s\nproxymap_cache_negative_ttl = 1s\nproxymap_cache_stale_ttl = 1h\n");
        assertEquals("a", lookup("fake:/t", "alice").value());
        assertEquals(Status.NOKEY, lookup("fake:/t", "nobody").status());
        CountingTable t = tables.get("/t");
        t.down = true;
        Thread.sleep(1100);
        assertEquals("a", lookup("fake:/t", "alice").value(), "expired, but younger than the stale TTL");
        assertEquals(Status.NOKEY, lookup("fake:/t", "nobody").status(), "a stale 'not found' answers too");
        assertEquals(Status.RETRY, lookup("fake:/t", "bob").status(), "a key never seen gets RETRY");
        assertEquals(2, handle("fake:/t").counters().cacheStaleServed.sum());
        t.down = false;
        t.map.put("alice", "back");
        assertEquals("back", lookup("fake:/t", "alice").value(), "recovered: the table answers again");
        assertEquals("b", lookup("fake:/t", "bob").value());
    }

    @Test
    void noStaleAnswersPastTheStaleTtl() throws Exception {
        start("proxymap_cache_maps = fake:/t\nproxymap_cache_ttl = 1s\nproxymap_cache_stale_ttl = 0s\n");
        assertEquals("a", lookup("fake:/t", "alice").value());
        tables.get("/t").down = true;
        Thread.sleep(1100);
        assertEquals(Status.RETRY, lookup("fake:/t", "alice").status());
    }

    @Test
    void concurrentLookupsOfOneColdKeyMakeOneQuery() throws Exception {
        start("proxymap_cache_maps = fake:/t\n");
        assertEquals("b", lookup("fake:/t", "bob").value()); // opens the table
        CountingTable t = tables.get("/t");
        CountDownLatch gate = new CountDownLatch(1);
        t.gate = gate;
        int n = 200;
        List<Future<Reply>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) replies.add(pool.submit(() -> lookup("fake:/t", "alice")));
            long until = System.nanoTime() + 5_000_000_000L;
            while (handle("fake:/t").counters().cacheCoalesced.sum() < n - 1 && System.nanoTime() < until) Thread.sleep(5);
            gate.countDown();
            for (Future<Reply> f : replies) assertEquals("a", f.get().value());
        }
        assertEquals(2, t.lookups.get(), "200 lookups of one cold key: one query (plus bob's)");
        assertEquals(n - 1, handle("fake:/t").counters().cacheCoalesced.sum());
    }

    @Test
    void reloadDropsAnswersOfATableRemovedOrChanged() throws Exception {
        start("proxymap_cache_maps = fake:/t\n");
        lookup("fake:/t", "alice");
        TableHandle before = handle("fake:/t");
        assertEquals(1, dispatcher.cacheEntries(before));
        state = new ServiceState(config(""), 2);
        lookup("fake:/t", "alice");
        assertEquals(2, tables.get("/t").lookups.get(), "a table removed from proxymap_cache_maps is asked at once");
        dispatcher.retainCached(state.config());
        state = new ServiceState(config("proxymap_cache_maps = fake:/t\n"), 3);
        lookup("fake:/t", "alice");
        assertEquals(3, tables.get("/t").lookups.get(), "its answers were dropped at the reload");
        registry.retire(h -> true); // a changed definition: the instance is retired
        dispatcher.retainCached(state.config());
        lookup("fake:/t", "alice");
        assertEquals(4, tables.get("/t").lookups.get(), "a reopened instance starts empty");
        assertEquals(1, dispatcher.cacheDrop("fake:/t", "alice"));
        assertEquals(0, dispatcher.cacheDrop("fake:/t", null));
    }

    @Test
    void unapprovedOrMisspelledNamesAreConfigurationErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> config("\n\nproxymap_cache_maps = fake:/t, fake:/typo\n"));
        assertTrue(e.getMessage().contains("proxymap.cf, line 3") || e.getMessage().contains("proxymap.cf:3"), e.getMessage());
        assertTrue(e.getMessage().contains("fake:/typo"), e.getMessage());
    }
}
