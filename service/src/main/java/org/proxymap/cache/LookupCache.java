package org.proxymap.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.ServiceConfig;
import org.proxymap.protocol.Status;
import org.proxymap.table.TableCounters;
import org.proxymap.table.TableException;
import org.proxymap.table.TableHandle;

/**
 * The lookup result cache of {@code proxymap_cache_maps}: answers (found and not found) per
 * table instance and key, bounded across all tables; one backend query per key at a time
 * (concurrent lookups of that key wait for it); and an expired answer younger than the stale
 * TTL answers when the table answers RETRY. Only lookups pass through here.
 */
public final class LookupCache {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final long STALE_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The table instance (by identity: a reopened table is a new one) and the key as it sees it. */
    private record Key(TableHandle table, String key) {}

    /** One answer: {@code value} null for "not found". */
    private record Answer(String value, long storedNanos) {}

    /** A table's lookup, as the dispatcher would make it without the cache. */
    @FunctionalInterface
    public interface Backend {
        String lookup(String key) throws TableException;
    }

    private final long ttl;
    private final long negativeTtl;
    private final long staleTtl;
    private final long waitNanos;
    private final int maxEntries;
    private final Cache<Key, Answer> answers;
    private final ConcurrentHashMap<Key, CompletableFuture<Answer>> inFlight = new ConcurrentHashMap<>();
    /** per table name, when "serving stale answers" was last logged */
    private final ConcurrentHashMap<String, Long> staleLogged = new ConcurrentHashMap<>();

    public LookupCache(ServiceConfig config) {
        this(config.cacheTtl, config.cacheNegativeTtl, config.cacheStaleTtl, config.queryTimeout, config.cacheMaxEntries);
    }

    public LookupCache(Duration ttl, Duration negativeTtl, Duration staleTtl, Duration wait, int maxEntries) {
        this.ttl = ttl.toNanos();
        this.negativeTtl = negativeTtl.toNanos();
        this.staleTtl = staleTtl.toNanos();
        this.waitNanos = wait.toNanos();
        this.maxEntries = maxEntries;
        this.answers = Caffeine.newBuilder().maximumSize(maxEntries).expireAfter(new Expiry<Key, Answer>() {
            @Override
            public long expireAfterCreate(Key k, Answer a, long now) { return lifetime(a); }

            @Override
            public long expireAfterUpdate(Key k, Answer a, long now, long remaining) { return lifetime(a); }

            @Override
            public long expireAfterRead(Key k, Answer a, long now, long remaining) { return remaining; }
        }).build();
    }

    /** Kept while fresh, then while it may still answer as stale. */
    private long lifetime(Answer a) {
        return Math.addExact(Math.min(freshFor(a), Long.MAX_VALUE / 4), Math.min(staleTtl, Long.MAX_VALUE / 4));
    }

    private long freshFor(Answer a) { return a.value() == null ? negativeTtl : ttl; }

    /** Whether this cache was built for {@code config}'s settings (else the dispatcher builds a new one). */
    public boolean fits(ServiceConfig config) {
        return ttl == config.cacheTtl.toNanos() && negativeTtl == config.cacheNegativeTtl.toNanos()
                && staleTtl == config.cacheStaleTtl.toNanos() && waitNanos == config.queryTimeout.toNanos()
                && maxEntries == config.cacheMaxEntries;
    }

    /**
     * Looks {@code key} up in {@code h} through the cache.
     *
     * @throws TableException the table's error when no answer, fresh or stale, can stand in
     */
    public String lookup(TableHandle h, String key, Backend backend) throws TableException {
        TableCounters c = h.counters();
        Key k = new Key(h, key);
        Answer cached = answers.getIfPresent(k);
        if (cached != null && fresh(cached)) {
            c.cacheHits.increment();
            return cached.value();
        }
        CompletableFuture<Answer> mine = new CompletableFuture<>();
        CompletableFuture<Answer> running = inFlight.putIfAbsent(k, mine);
        if (running != null) {
            c.cacheCoalesced.increment();
            return await(h, k, running);
        }
        try {
            // another lookup may have stored it between our miss and our claim
            Answer now = answers.getIfPresent(k);
            if (now != null && fresh(now)) {
                mine.complete(now);
                c.cacheHits.increment();
                return now.value();
            }
            c.cacheMisses.increment();
            String value;
            try {
                value = backend.lookup(key);
            } catch (TableException e) {
                mine.completeExceptionally(e);
                return stale(h, k, e);
            }
            Answer a = new Answer(value, System.nanoTime());
            answers.put(k, a);
            mine.complete(a);
            return value;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(k, mine);
        }
    }

    /** Waits for the lookup of the same key already running, at most the query timeout. */
    private String await(TableHandle h, Key k, CompletableFuture<Answer> running) throws TableException {
        try {
            return running.get(waitNanos, TimeUnit.NANOSECONDS).value();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TableException te) return stale(h, k, te);
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            return stale(h, k, TableException.retry("the lookup of the same key by another client took longer than "
                    + "proxymap_sql_query_timeout (" + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TableException.retry("interrupted while waiting for the same key's lookup");
        }
    }

    /** The table failed: an expired answer within the stale TTL answers a RETRY, else the error stands. */
    private String stale(TableHandle h, Key k, TableException e) throws TableException {
        Answer a = e.status() == Status.RETRY ? answers.getIfPresent(k) : null;
        if (a == null || System.nanoTime() - a.storedNanos() - freshFor(a) > staleTtl) throw e;
        h.counters().cacheStaleServed.increment();
        h.counters().error(e.getMessage());
        long now = System.nanoTime();
        Long last = staleLogged.get(h.fullName());
        if ((last == null || now - last >= STALE_LOG_INTERVAL_NANOS)
                && (last == null ? staleLogged.putIfAbsent(h.fullName(), now) == null
                        : staleLogged.replace(h.fullName(), last, now))) {
            log.warn("serving stale answers for {}: {}", h.fullName(), e.getMessage());
        }
        return a.value();
    }

    private boolean fresh(Answer a) { return System.nanoTime() - a.storedNanos() < freshFor(a); }

    /** Forgets {@code key} in every given instance (an update or delete through proxywrite changed it). */
    public void invalidate(Collection<TableHandle> instances, String key) {
        for (TableHandle h : instances) {
            answers.invalidate(new Key(h, key));
            answers.invalidate(new Key(h, key.toLowerCase(Locale.ROOT)));
        }
    }

    /** Drops every answer of the table {@code fullName}, or only those of {@code key} when it is not null. */
    public int drop(String fullName, String key) {
        int[] n = {0};
        answers.asMap().keySet().removeIf(k -> {
            boolean match = k.table().fullName().equals(fullName)
                    && (key == null || k.key().equals(key) || k.key().equals(key.toLowerCase(Locale.ROOT)));
            if (match) n[0]++;
            return match;
        });
        return n[0];
    }

    /** Keeps only the answers of {@code live} instances that are still cached (after a reload). */
    public void retain(Collection<TableHandle> live, Set<String> cachedTables) {
        Set<TableHandle> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(live);
        answers.asMap().keySet().removeIf(k -> !keep.contains(k.table()) || !cachedTables.contains(k.table().fullName()));
    }

    /** The answers held for one instance (walks the cache: for JMX, not for the request path). */
    public long entries(TableHandle h) {
        return answers.asMap().keySet().stream().filter(k -> k.table() == h).count();
    }
}
