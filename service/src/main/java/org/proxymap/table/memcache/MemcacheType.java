package org.proxymap.table.memcache;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;
import org.proxymap.table.sql.DomainList;

/**
 * {@code memcache:/path/file.cf}: Postfix's memcache_table(5), read-only through proxymap
 * and read-write through proxywrite. The {@code backup} is any table, opened here with the
 * same access ({@code proxy:} dropped, as inside Postfix's proxymap).
 */
public final class MemcacheType implements TableType {
    private static final Logger log = LogManager.getLogger("proxymap");

    @Override
    public String name() { return "memcache"; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        MemcacheConfig cf = MemcacheConfig.load(name, context.parameters());
        DomainList domain = cf.domain().isEmpty() ? null : new DomainList(cf.domain(), name, context);
        return new MemcacheTable(cf, domain, cf.backup() == null ? null : backup(cf, context));
    }

    /**
     * The backup table. One that cannot be opened answers RETRY with the reason, as
     * Postfix's surrogate does: memcache hits are still served.
     */
    private static LookupTable backup(MemcacheConfig cf, OpenContext context) {
        try {
            return context.openTable(cf.backup());
        } catch (TableOpenException | RuntimeException e) {
            String reason = "memcache:" + cf.name() + ": backup " + cf.backup() + " is unavailable: " + e.getMessage();
            log.error(reason);
            return new Unavailable(reason);
        }
    }

    /** A backup that could not be opened. */
    private record Unavailable(String reason) implements LookupTable {
        public int implFlags() { return DictFlags.FIXED; }
        public String lookup(String key) throws TableException { throw TableException.retry(reason); }
        public void update(String key, String value) throws TableException { throw TableException.retry(reason); }
        public boolean delete(String key) throws TableException { throw TableException.retry(reason); }
        public Iterator<Map.Entry<String, String>> entries() throws TableException { throw TableException.retry(reason); }
    }

    /** The definition parses (file:line for what Postfix rejects), and so do the domain list and the backup's own definition. */
    @Override
    public List<String> check(String name, OpenContext context) {
        List<String> problems = new ArrayList<>();
        try {
            MemcacheConfig cf = MemcacheConfig.load(name, context.parameters());
            if (!cf.domain().isEmpty()) new DomainList(cf.domain(), name, context).close();
            if (cf.backup() != null) {
                TableType t = context.typeOf(cf.backup());
                if (t == null) {
                    problems.add(name + ": backup = " + cf.backup() + ": unsupported dictionary type; use type:name with a type this server supports");
                } else {
                    String member = org.proxymap.config.AllowList.stripProxy(cf.backup());
                    for (String p : t.check(member.substring(member.indexOf(':') + 1), context)) problems.add(name + ": backup: " + p);
                }
            }
        } catch (TableOpenException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    /** {@code check} mode: also asks memcache (and the backup) for a key no table holds. */
    @Override
    public List<String> probe(String name, OpenContext context) {
        List<String> problems = check(name, context);
        if (!problems.isEmpty()) return problems;
        try (LookupTable t = open(name, context)) {
            MemcacheTable m = (MemcacheTable) t;
            m.probe();
            return List.of();
        } catch (TableOpenException e) {
            return List.of(e.getMessage());
        } catch (TableException e) {
            return List.of(e.getMessage());
        }
    }

    /** The .cf file (or main.cf values), and the backup's own fingerprint. */
    @Override
    public String fingerprint(String name, OpenContext context) {
        StringBuilder sb = new StringBuilder(TableType.fileFingerprint(name));
        try {
            MemcacheConfig cf = MemcacheConfig.load(name, context.parameters());
            if (!name.startsWith("/") && !name.startsWith(".")) {
                sb.append("|legacy:").append(cf.memcache()).append('|').append(cf.backup()).append('|').append(cf.keyFormat())
                        .append('|').append(cf.domain()).append('|').append(cf.ttl()).append('|').append(cf.flags()).append('|')
                        .append(cf.timeoutSeconds()).append('|').append(cf.maxTry()).append('|').append(cf.retryPauseSeconds())
                        .append('|').append(cf.lineSizeLimit()).append('|').append(cf.dataSizeLimit());
            }
            if (cf.backup() != null) {
                TableType t = context.typeOf(cf.backup());
                String member = org.proxymap.config.AllowList.stripProxy(cf.backup());
                if (t != null) sb.append("|backup:").append(t.fingerprint(member.substring(member.indexOf(':') + 1), context));
            }
        } catch (TableOpenException e) {
            sb.append("|bad:").append(e.getMessage());
        }
        return sb.toString();
    }
}
