package org.proxymap.management;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.proxymap.jmx.ServiceMXBean;
import org.proxymap.protocol.Status;
import org.proxymap.server.ProxymapServer;
import org.proxymap.server.ServerCounters;

/** {@link ServiceMXBean} over the server's {@link ServerCounters} and the JVM's own beans. */
final class ServiceBean implements ServiceMXBean {
    private final ProxymapServer server;
    private final String version;

    ServiceBean(ProxymapServer server, String version) {
        this.server = server;
        this.version = version;
    }

    private ServerCounters c() { return server.counters(); }

    @Override public long getPid() { return ProcessHandle.current().pid(); }
    @Override public String getVersion() { return version; }
    @Override public long getStartTimeMillis() { return ManagementFactory.getRuntimeMXBean().getStartTime(); }
    @Override public long getUptimeMillis() { return ManagementFactory.getRuntimeMXBean().getUptime(); }
    @Override public String getConfigDirectory() { return server.state().config().configDirectory().toString(); }
    @Override public long getConfigGeneration() { return server.state().generation(); }
    @Override public long getConnectionsAccepted() { return c().connectionsAccepted.sum(); }
    @Override public long getConnectionsActive() { return c().connectionsActive.get(); }
    @Override public long getConnectionsPeak() { return c().connectionsPeak.get(); }

    @Override
    public Map<String, Long> getRequests() {
        Map<String, Long> m = new LinkedHashMap<>();
        c().requests.forEach((op, n) -> m.put(op.wireName(), n.sum()));
        m.put("other", c().unknownRequests.sum());
        return m;
    }

    @Override
    public Map<String, Long> getReplies() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int status = 0; status < Status.COUNT; status++) m.put(Status.name(status), c().replies[status].sum());
        return m;
    }

    @Override public long getDenied() { return c().denied.sum(); }
    @Override public long getMalformed() { return c().malformed.sum(); }
    @Override public long getDeadlineExpiries() { return c().deadlineExpiries.sum(); }
    @Override public long getIdleTimeouts() { return c().idleTimeouts.sum(); }
    @Override public long getAcceptFailures() { return c().acceptFailures.sum(); }
    @Override public long getInternalErrors() { return c().internalErrors.sum(); }
    @Override public long getStalls() { return c().stalls.sum(); }
    @Override public long getLastStallMillis() { return c().lastStallMillis; }
    @Override public long getLastLongStallMillis() { return c().lastLongStallMillis; }
    @Override public long getPatternMatchLimits() { return org.proxymap.table.pattern.MatchBudget.exceeded(); }

    @Override
    public Map<String, Long> getRequestsByDialect() {
        Map<String, Long> m = new LinkedHashMap<>();
        c().dialectRequests.forEach((d, n) -> m.put(d.label(), n.sum()));
        return m;
    }

    @Override public int getThreads() { return ManagementFactory.getThreadMXBean().getThreadCount(); }
    @Override public long getHeapUsedBytes() { return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(); }
    @Override public long getHeapMaxBytes() { return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax(); }
}
