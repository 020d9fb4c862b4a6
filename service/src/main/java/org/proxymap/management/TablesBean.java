package org.proxymap.management;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.proxymap.config.AllowList;
import org.proxymap.jmx.LookupResult;
import org.proxymap.jmx.TableInfo;
import org.proxymap.jmx.TablesMXBean;
import org.proxymap.protocol.DictFlags;
import org.proxymap.server.Dialect;
import org.proxymap.server.ProxymapServer;
import org.proxymap.server.Reply;
import org.proxymap.server.Request;
import org.proxymap.server.Session;
import org.proxymap.table.LatencyHistogram;
import org.proxymap.table.LatencyWindow;
import org.proxymap.table.TableCounters;
import org.proxymap.table.TableHandle;

/** {@link TablesMXBean} over the server's table registry; lookups go through its Dispatcher. */
final class TablesBean implements TablesMXBean {
    private final ProxymapServer server;

    TablesBean(ProxymapServer server) {
        this.server = server;
    }

    @Override
    public List<TableInfo> getTables() {
        return server.registry().handles().stream().map(this::info)
                .sorted(Comparator.comparing(TableInfo::name).thenComparing(TableInfo::writable)
                        .thenComparingInt(TableInfo::instanceFlags))
                .toList();
    }

    @Override
    public Map<String, Long> getDenials() {
        Map<String, Long> m = new TreeMap<>();
        server.counters().deniedByTable.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    @Override
    public List<TableInfo> table(String name) {
        String n = AllowList.stripProxy(name == null ? "" : name);
        return getTables().stream().filter(t -> t.name().equals(n)).toList();
    }

    private TableInfo info(TableHandle h) {
        TableCounters c = h.counters();
        LatencyHistogram l = c.latencyHistogram();
        LongAdder denied = server.counters().deniedByTable.get(h.fullName());
        String lastError = c.lastError();
        LatencyWindow.Figures recent = c.recentLatency().recent();
        return new TableInfo(h.fullName(), h.type(), h.writable(), h.instanceFlags(), h.openedMillis(),
                !h.isSurrogate(), c.lookups.sum(), c.hits.sum(), c.misses.sum(), c.errors.sum(), c.retries.sum(),
                c.updates.sum(), c.deletes.sum(), denied == null ? 0 : denied.sum(),
                lastError == null ? "" : lastError, c.lastErrorMillis(),
                TableBean.micros(l.percentileNanos(0.5)), TableBean.micros(l.percentileNanos(0.99)), TableBean.micros(l.maxNanos()),
                c.cacheHits.sum(), c.cacheMisses.sum(), c.cacheStaleServed.sum(), c.cacheCoalesced.sum(),
                server.dispatcher().cacheEntries(h),
                TableBean.micros(recent.p50Nanos()), TableBean.micros(recent.p99Nanos()));
    }

    /**
     * One lookup as a dialect-C client on the read-only service: the Dispatcher applies
     * proxy_read_maps and counts it like any request. It uses the instance a client already
     * opened, so an operator lookup does not open a second copy of the table.
     */
    @Override
    public LookupResult lookup(String table, String key) {
        String t = table == null ? "" : table;
        String k = key == null ? "" : key;
        String bare = AllowList.stripProxy(t);
        int instanceFlags = server.registry().handles().stream()
                .filter(h -> !h.writable() && h.fullName().equals(bare))
                .mapToInt(TableHandle::instanceFlags).findFirst().orElse(0);
        // read-only service; log lines name the peer "jmx socket"
        Reply reply = server.dispatcher().handle(
                new Request.Lookup(Dialect.C, t, instanceFlags, DictFlags.DAEMON_LOOKUP, k), new Session(false, "jmx"));
        return new LookupResult(t, k, reply.statusName(), reply.value());
    }

    @Override
    public int cacheDrop(String table, String key) {
        String t = AllowList.stripProxy(table == null ? "" : table);
        return server.dispatcher().cacheDrop(t, key == null || key.isEmpty() ? null : key);
    }
}
