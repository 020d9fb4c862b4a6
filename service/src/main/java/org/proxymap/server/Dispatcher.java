package org.proxymap.server;

import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.cache.LookupCache;
import org.proxymap.config.AllowList;
import org.proxymap.config.ServiceConfig;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.protocol.DictFlags;
import org.proxymap.protocol.Status;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableCounters;
import org.proxymap.table.TableException;
import org.proxymap.table.TableHandle;
import org.proxymap.table.TableRegistry;

/**
 * One request in, exactly one reply out, as Postfix's {@code proxymap_service()}: the
 * service and allow-list checks on every request, a shared table instance, and one small
 * method per request as {@code proxymap.c} has one function per request. The wire layouts
 * are {@link RequestCodec}'s.
 */
public final class Dispatcher {
    private static final Logger log = LogManager.getLogger("proxymap");

    private final TableRegistry registry;
    private final ServerCounters counters;
    private final Supplier<ServiceState> state;
    /** built for the settings in force, rebuilt (empty) when a reload changes them */
    private volatile LookupCache cache;

    public Dispatcher(TableRegistry registry, ServerCounters counters, Supplier<ServiceState> state) {
        this.registry = registry;
        this.counters = counters;
        this.state = state;
    }

    /**
     * Decodes one request off the wire, handles it and encodes its reply into {@code out}.
     *
     * @return false when no reply must be sent and the connection should be closed
     */
    public boolean handle(AttrList wire, Session session, AttrWriter out) {
        Reply reply;
        try {
            reply = handle(RequestCodec.decode(wire, session.socketName()), session);
        } catch (RequestCodec.BadRequest bad) {
            counters.malformed.increment();
            reply = bad.reply();
            if (reply == null) return false;
            counters.request(bad.op(), bad.dialect());
            counters.reply(reply.status());
        }
        RequestCodec.encode(reply, out);
        return true;
    }

    /** Handles one request, counted as every request is, whether from a client or from JMX. */
    public Reply handle(Request r, Session session) {
        counters.request(r.op(), r.dialect());
        Reply reply = serve(r, session);
        counters.reply(reply.status());
        return reply;
    }

    /** Postfix's order of checks: the service, the table name, the allow-list; then the table. */
    private Reply serve(Request r, Session session) {
        String table = AllowList.stripProxy(r.table());
        if (r.op().writes() && !session.writeService()) {
            counters.denied(table);
            log.warn("refusing {} {} request on non-proxywrite service", r.table(), r.op().wireName());
            return Reply.refused(r.op(), r.dialect(), Status.DENY);
        }
        if (table.indexOf(':') < 0) {
            counters.malformed.increment();
            log.warn("malformed table name: \"{}\"; expected type:name", r.table());
            return Reply.refused(r.op(), r.dialect(), Status.BAD);
        }
        ServiceConfig config = state.get().config();
        AllowList allowed = session.writeService() ? config.writeMaps : config.readMaps;
        if (!allowed.allows(table)) {
            counters.denied(table);
            log.warn("request for unapproved table: \"{}\"", table);
            if (session.writeService()) {
                log.warn("to approve this table for read-write access, list proxy:{} in main.cf:proxy_write_maps", table);
            } else {
                log.warn("to approve this table for read-only access, list proxy:{} in main.cf:proxy_read_maps", table);
            }
            return Reply.refused(r.op(), r.dialect(), Status.DENY);
        }
        TableHandle h = registry.acquire(table, session.writeService(), instanceFlags(r));
        try {
            boolean configAsRetry = config.configAsRetry;
            return switch (r) {
                case Request.Open o -> open(o, h);
                case Request.Lookup l -> measured(l, h, configAsRetry, () -> lookup(l, h, config));
                case Request.Update u -> measured(u, h, configAsRetry, () -> update(u, h, config));
                case Request.Delete d -> measured(d, h, configAsRetry, () -> delete(d, h, config));
                case Request.Sequence s -> measured(s, h, configAsRetry, () -> sequence(s, h, session));
            };
        } finally {
            h.release();
        }
    }

    // ---- the flag rules: which instance a request uses, how its key is folded, what flags go back

    /**
     * The client's instance flags: C sends them; A/B's are the instance bits of its flags.
     * What they change in a table, and which bits select an instance, is {@link OpenFlags}'.
     */
    private static int instanceFlags(Request r) {
        return OpenFlags.of(r.dialect() == Dialect.C, r.instanceFlags(), r.flags()).bits();
    }

    /**
     * The key as the table sees it: lower-cased when the client asks for it with the flag that
     * matches the table's kind ({@link OpenFlags#lookupKey}).
     */
    private static String tableKey(Request r, String key, TableHandle h) {
        return OpenFlags.lookupKey(h.table().implFlags(), r.flags(), key);
    }

    /** The flags a reply after a table was used carries (dialect C and open replies show them). */
    private static int replyFlags(Request r) {
        return switch (r.op()) {
            case UPDATE -> r.flags() | DictFlags.SYNC_UPDATE | DictFlags.DUP_REPLACE;
            case DELETE -> r.flags() | DictFlags.SYNC_UPDATE;
            default -> r.flags();
        };
    }

    // ---- one method per request, as proxymap_open/lookup/update/delete/sequence_service

    private static Reply open(Request.Open r, TableHandle h) {
        // C: the instance flags plus the type bits. A/B: the flags a freshly opened Postfix
        // instance reports (the open request's flags plus the type bits); Postfix's later
        // replies also carry request bits left by earlier requests, which clients ignore
        int flags = (r.dialect() == Dialect.C ? r.instanceFlags() : r.flags()) | h.table().implFlags();
        return Reply.of(r, Status.OK, flags);
    }

    private Reply lookup(Request.Lookup r, TableHandle h, ServiceConfig config) throws TableException {
        TableCounters c = h.counters();
        c.lookups.increment();
        String key = tableKey(r, r.key(), h);
        String v = key.isEmpty() ? null
                : cached(h, config) ? cache(config).lookup(h, key, h.table()::lookup)
                : h.table().lookup(key);
        (v == null ? c.misses : c.hits).increment();
        return new Reply(Op.LOOKUP, r.dialect(), v == null ? Status.NOKEY : Status.OK, replyFlags(r), "",
                v == null ? "" : v);
    }

    private Reply update(Request.Update r, TableHandle h, ServiceConfig config) throws TableException {
        h.counters().updates.increment();
        String key = tableKey(r, r.key(), h);
        try {
            h.table().update(key, r.value());
        } finally {
            invalidate(h, config, r.key(), key);
        }
        return Reply.of(r, Status.OK, replyFlags(r));
    }

    private Reply delete(Request.Delete r, TableHandle h, ServiceConfig config) throws TableException {
        h.counters().deletes.increment();
        String key = tableKey(r, r.key(), h);
        boolean deleted;
        try {
            deleted = h.table().delete(key);
        } finally {
            invalidate(h, config, r.key(), key);
        }
        return Reply.of(r, deleted ? Status.OK : Status.NOKEY, replyFlags(r));
    }

    // ---- the lookup cache (proxymap_cache_maps): lookups only, per table instance

    private static boolean cached(TableHandle h, ServiceConfig config) {
        return !config.cacheMaps.isEmpty() && config.cacheMaps.contains(h.fullName());
    }

    /** The cache for the settings in force; a reload that changes them starts an empty one. */
    public LookupCache cache(ServiceConfig config) {
        LookupCache c = cache;
        if (c != null && c.fits(config)) return c;
        synchronized (this) {
            if (cache == null || !cache.fits(config)) cache = new LookupCache(config);
            return cache;
        }
    }

    /**
     * After a reload: answers of instances that were retired (their definition changed) or
     * whose table left proxymap_cache_maps are dropped.
     */
    public void retainCached(ServiceConfig config) {
        if (cache != null) cache(config).retain(registry.handles(), config.cacheMaps);
    }

    /** Whether lookups in {@code h} go through the cache under the configuration in force (for JMX). */
    public boolean cached(TableHandle h) {
        return cached(h, state.get().config());
    }

    /** Answers held for {@code h}, 0 when it is not cached (for JMX). */
    public long cacheEntries(TableHandle h) {
        ServiceConfig config = state.get().config();
        return cache == null || !cached(h, config) ? 0 : cache(config).entries(h);
    }

    /** Drops the cached answers of {@code table} ({@code type:name}), or of one key when not null. */
    public int cacheDrop(String table, String key) {
        return cache == null ? 0 : cache(state.get().config()).drop(table, key);
    }

    /** An update or delete changed {@code key}: every instance of the table forgets it, changed or not. */
    private void invalidate(TableHandle h, ServiceConfig config, String wireKey, String tableKey) {
        if (!cached(h, config)) return;
        var instances = registry.handles().stream().filter(o -> o.fullName().equals(h.fullName())).toList();
        LookupCache c = cache(config);
        c.invalidate(instances, wireKey);
        c.invalidate(instances, tableKey);
    }

    /** Cursors are per connection (see {@link Session}); FIRST starts a fresh one. */
    private static Reply sequence(Request.Sequence r, TableHandle h, Session session) throws TableException {
        Iterator<Map.Entry<String, String>> it = r.function() == Request.Sequence.FIRST ? null : session.cursor(h);
        if (it == null) {
            it = h.table().entries();
            session.cursor(h, it);
        }
        if (!it.hasNext()) return Reply.of(r, Status.NOKEY, replyFlags(r));
        Map.Entry<String, String> e = it.next();
        return new Reply(Op.SEQUENCE, r.dialect(), Status.OK, replyFlags(r), e.getKey(), e.getValue());
    }

    @FunctionalInterface
    private interface TableCall {
        Reply call() throws TableException;
    }

    /** Runs one table operation with its latency, errors and retries counted on the table. */
    private static Reply measured(Request r, TableHandle h, boolean configAsRetry, TableCall call) {
        TableCounters c = h.counters();
        long start = System.nanoTime();
        Reply reply;
        try {
            reply = call.call();
        } catch (TableException e) {
            c.error(e.getMessage());
            int status = e.status() == Status.CONFIG && configAsRetry ? Status.RETRY : e.status();
            reply = Reply.of(r, status, replyFlags(r));
        } catch (RuntimeException e) {
            // a table bug must cost one request, never the connection or the server
            c.error(e.toString());
            log.error("{}: {} failed: {}", h.fullName(), r.op().wireName(), e.toString(), e);
            reply = Reply.of(r, Status.RETRY, replyFlags(r));
        }
        c.latency(System.nanoTime() - start);
        if (reply.status() == Status.RETRY) c.retries.increment();
        return reply;
    }
}
