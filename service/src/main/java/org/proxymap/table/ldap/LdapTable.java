package org.proxymap.table.ldap;

import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.TableException;
import org.proxymap.table.sql.DomainList;
import org.proxymap.table.LogLimiter;

/**
 * One ldap table: Postfix's {@code dict_ldap_lookup()} and {@code dict_ldap_get_values()}
 * over a shared {@link LdapPool}.
 *
 * <p>Keys and values are ISO-8859-1 strings standing for the client's bytes. A key that is
 * not UTF-8 is not looked up (not found), as in Postfix; attribute values are passed on as
 * the directory's bytes.
 */
final class LdapTable implements LookupTable, org.proxymap.table.ServerCheck {
    private static final Logger log = LogManager.getLogger("proxymap");
    private static final LogLimiter limited = new LogLimiter(10_000);
    private static final String[] NO_ATTRIBUTES = new String[0];

    private final String fullName;
    private final LdapConfig cf;
    private final LdapPool pool;
    private final DomainList domain;
    private final Runnable release;
    private final String[] attributes;
    private final Duration timeout;
    private final AtomicBoolean closed = new AtomicBoolean();

    LdapTable(String name, LdapConfig cf, LdapPool pool, DomainList domain, Runnable release) {
        this.fullName = "ldap:" + name;
        this.cf = cf;
        this.pool = pool;
        this.domain = domain;
        this.release = release;
        this.attributes = cf.attributes.toArray(NO_ATTRIBUTES);
        // timeout = 0: libldap polls once; a second here, so that a lookup can work at all
        this.timeout = Duration.ofSeconds(Math.max(1, cf.timeout));
    }

    @Override
    public int implFlags() { return DictFlags.FIXED; }

    /** The state of one lookup across its recursive searches (Postfix keeps it in statics). */
    private static final class Lookup {
        final String key;
        final StringBuilder out = new StringBuilder();
        int recursion;
        int expansion;
        String error;

        Lookup(String key) { this.key = key; }

        void fail(String message) {
            if (error == null) error = message;
        }
    }

    @Override
    public String lookup(String key) throws TableException {
        String text = utf8(key);
        if (text == null) return null;
        if (domain != null) {
            int at = key.lastIndexOf('@');
            if (at <= 0 || at == key.length() - 1) return null;
            boolean match;
            try {
                match = domain.matches(key.substring(at + 1));
            } catch (TableException e) {
                log.warn("{} 'domain' pattern match failed for '{}': {}", fullName, key, e.getMessage());
                throw e;
            }
            if (!match) return null;
        }
        String base = cf.templates.expand(cf.searchBase, text, LdapQuote::dn);
        if (base == null) return null;
        String filter = cf.templates.expand(cf.queryFilter, text, LdapQuote::filter);
        if (filter == null) return null;
        Lookup l = new Lookup(key);
        LdapPool.Conn c = pool.borrow(timeout);
        SearchResult res;
        try {
            try {
                res = search(c, base, scope(cf.scope), filter, attributes);
            } catch (LDAPException e) {
                if (e.getResultCode() != ResultCode.SERVER_DOWN) throw e;
                // Postfix: lost connection, reconnect once and search again
                pool.discard(c);
                c = null;
                pool.dropIdle();
                c = pool.borrow(timeout);
                res = search(c, base, scope(cf.scope), filter, attributes);
            }
            values(c, l, res.getSearchEntries());
        } catch (LDAPException e) {
            ResultCode rc = e.getResultCode();
            if (rc == ResultCode.NO_SUCH_OBJECT) {
                pool.giveBack(c);
                if (cf.dynamicBase) return null;
                String m = fullName + ": Search base '" + base + "' not found: " + rc.intValue() + ": " + rc.getName();
                limited.warn(fullName + " base", m + "; fix search_base");
                throw TableException.retry(m);
            }
            if (c != null) pool.afterError(c, rc);
            String m = fullName + ": Search error " + rc.intValue() + ": " + rc.getName() + detail(e);
            limited.warn(fullName + " search", m);
            throw TableException.retry(m);
        } catch (TableException | RuntimeException e) {
            if (c != null) pool.discard(c);
            throw e;
        }
        pool.giveBack(c);
        if (l.error != null) {
            limited.warn(fullName + " values", l.error);
            throw TableException.retry(l.error);
        }
        return l.out.isEmpty() ? null : l.out.toString();
    }

    private static String detail(LDAPException e) {
        String d = e.getDiagnosticMessage();
        return d == null || d.isEmpty() ? "" : " (" + d + ")";
    }

    /** One search with the table's limits; the entries of a search stopped by a limit are an error, as in Postfix. */
    private SearchResult search(LdapPool.Conn c, String base, SearchScope scope, String filter, String[] attrs) throws LDAPException {
        Filter f;
        try {
            f = Filter.create(filter.startsWith("(") ? filter : "(" + filter + ")");
        } catch (LDAPException e) {
            throw new LDAPException(ResultCode.FILTER_ERROR, "Bad search filter " + filter + ": " + e.getMessage());
        }
        SearchRequest r = new SearchRequest(base, scope, deref(cf.dereference), cf.sizeLimit, cf.timeout, false, f, attrs);
        r.setResponseTimeoutMillis(timeout.toMillis());
        SearchResult res = c.ldap.search(r);
        if (res.getResultCode() != ResultCode.SUCCESS) throw new LDAPException(res);
        return res;
    }

    /** Postfix's {@code dict_ldap_get_values()}: results of one search, recursing through special attributes. */
    private void values(LdapPool.Conn c, Lookup l, List<SearchResultEntry> entries) {
        l.recursion++;
        long count = 0;
        // as in Postfix, these carry over from one entry to the next
        boolean isLeaf = true;
        boolean isTerminal = false;
        for (SearchResultEntry entry : entries) {
            if (l.error == null && cf.sizeLimit > 0 && ++count > cf.sizeLimit) {
                l.fail(fullName + ": Query size limit (" + cf.sizeLimit + ") exceeded");
            }
            if (cf.numTerminal > 0) {
                for (int i = 0; i < cf.numTerminal; i++) {
                    List<byte[]> v = exact(entry, attributes[i]);
                    if (v == null) continue;
                    isTerminal = !v.isEmpty();
                    if (isTerminal) break;
                }
            }
            if (!isTerminal && cf.numLeaf > 0) {
                for (int i = cf.numAttributes; i < attributes.length; i++) {
                    List<byte[]> v = exact(entry, attributes[i]);
                    if (v == null) continue;
                    isLeaf = v.isEmpty();
                    if (!isLeaf) break;
                }
            }
            for (com.unboundid.ldap.sdk.Attribute a : entry.getAttributes()) {
                byte[][] vals = a.getValueByteArrays();
                if (l.error != null || vals.length == 0) continue;
                String attr = a.getName();
                int i = 0;
                while (i < attributes.length && subtype(attributes[i], attr) <= 0) i++;
                if (i < cf.numAttributes || isTerminal) {
                    if ((isTerminal && i >= cf.numTerminal) || (!isLeaf && i < cf.numTerminal + cf.numLeaf)) continue;
                    for (byte[] v : vals) {
                        String value = new String(v, StandardCharsets.ISO_8859_1);
                        if (value.isEmpty()) {
                            limited.warn(fullName + " empty", "table \"" + fullName + "\": empty lookup result for: \"" + l.key + "\" -- ignored");
                            continue;
                        }
                        if (cf.templates.expandResult(value, l.key, l.out) && cf.expansionLimit > 0 && ++l.expansion > cf.expansionLimit) {
                            l.fail(fullName + ": Expansion limit exceeded for key: '" + l.key + "'");
                            break;
                        }
                    }
                } else if (l.recursion < cf.recursionLimit && i < attributes.length) {
                    for (byte[] v : vals) {
                        special(c, l, new String(v, StandardCharsets.UTF_8));
                        if (l.error != null) break;
                    }
                } else if (l.recursion >= cf.recursionLimit && i < attributes.length) {
                    l.fail(fullName + ": Recursion limit exceeded for special attribute " + attr + "="
                            + new String(vals[0], StandardCharsets.UTF_8));
                }
            }
        }
        l.recursion--;
    }

    /** One value of a special attribute: a DN (base search) or an LDAP URL (its search). */
    private void special(LdapPool.Conn c, Lookup l, String value) {
        SearchResult res;
        try {
            if (LdapConfig.isLdapUrl(value)) {
                LDAPURL url;
                try {
                    url = new LDAPURL(LdapConfig.unwrap(value));
                } catch (LDAPException e) {
                    l.fail(fullName + ": malformed URL " + value + ": " + e.getMessage());
                    return;
                }
                String[] attrs = urlAttributes(url.getAttributes());
                if (attrs == null) return; // no pertinent attributes
                res = search(c, url.getBaseDN().toString(), url.getScope(), url.getFilter().toString(), attrs);
            } else {
                res = search(c, value, SearchScope.BASE, "objectclass=*", attributes);
            }
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                limited.warn(fullName + " dn", fullName + ": DN " + value + " not found, skipping");
                return;
            }
            l.fail(fullName + ": search error " + e.getResultCode().intValue() + ": " + e.getResultCode().getName() + detail(e));
            return;
        }
        descend(c, l, res.getSearchEntries());
    }

    /** Levels of recursion per thread stack: a request thread's stack holds about this many. */
    private static final int LEVELS_PER_STACK = 100;

    /**
     * Recurses into the entries of a special attribute; every {@link #LEVELS_PER_STACK}
     * levels on a fresh thread with its own stack, so that {@code recursion_limit} (default
     * 1000) levels of nested groups end in Postfix's "recursion limit" answer, not a stack overflow.
     */
    private void descend(LdapPool.Conn c, Lookup l, List<SearchResultEntry> entries) {
        if (l.recursion % LEVELS_PER_STACK != 0) {
            values(c, l, entries);
            return;
        }
        Throwable[] failed = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                values(c, l, entries);
            } catch (Throwable e) {
                failed[0] = e;
            }
        }, "ldap-recursion", 16L << 20);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failed[0] != null) l.fail(fullName + ": recursion failed: " + failed[0]);
    }

    /** Postfix's {@code url_attrs()}: all our attributes, or those the URL names too (the more specific form). */
    private String[] urlAttributes(String[] urlAttrs) {
        if (urlAttrs == null || urlAttrs.length == 0) return attributes;
        List<String> out = new ArrayList<>();
        for (String a1 : urlAttrs) {
            for (String a2 : attributes) {
                int rel = subtype(a1, a2);
                if (rel > 0) out.add(a2);
                else if (rel < 0) out.add(a1);
            }
        }
        return out.isEmpty() ? null : out.toArray(NO_ATTRIBUTES);
    }

    /** The values of the attribute named exactly {@code name} (ignoring case), as libldap's get_values; null when absent. */
    private static List<byte[]> exact(SearchResultEntry e, String name) {
        for (com.unboundid.ldap.sdk.Attribute a : e.getAttributes()) {
            if (a.getName().equalsIgnoreCase(name)) return List.of(a.getValueByteArrays());
        }
        return null;
    }

    /**
     * Postfix's {@code attrdesc_subtype()}: 1 when {@code a2} is {@code a1} or a subtype of it
     * ({@code a1;option}), -1 when {@code a1} is a subtype of {@code a2}, else 0; case-insensitive.
     */
    static int subtype(String a1, String a2) {
        int i = 0;
        while (i < a1.length() && i < a2.length()
                && Character.toLowerCase(a1.charAt(i)) == Character.toLowerCase(a2.charAt(i))) i++;
        if (i == a1.length() && (i == a2.length() || a2.charAt(i) == ';')) return 1;
        if (i == a2.length() && i < a1.length() && a1.charAt(i) == ';') return -1;
        return 0;
    }

    private static SearchScope scope(int s) {
        return switch (s) {
            case LdapConfig.SCOPE_BASE -> SearchScope.BASE;
            case LdapConfig.SCOPE_ONE -> SearchScope.ONE;
            default -> SearchScope.SUB;
        };
    }

    private static DereferencePolicy deref(int d) {
        return switch (d) {
            case 1 -> DereferencePolicy.SEARCHING;
            case 2 -> DereferencePolicy.FINDING;
            case 3 -> DereferencePolicy.ALWAYS;
            default -> DereferencePolicy.NEVER;
        };
    }

    /** Client bytes as text for the search, or null when they are not UTF-8 (Postfix skips those keys). */
    private String utf8(String key) {
        boolean ascii = true;
        for (int i = 0; i < key.length() && ascii; i++) ascii = key.charAt(i) < 0x80;
        if (ascii) return key;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            log.debug("{}: Skipping lookup of non-UTF-8 key '{}'", fullName, key);
            return null;
        }
    }

    /** Connects, binds and runs a base search of the search base (or the root DSE): for {@code check} mode. */
    @Override
    public void check() throws TableException {
        String base = cf.dynamicBase ? "" : cf.searchBase;
        LdapPool.Conn c = pool.borrow(timeout);
        try {
            search(c, base, SearchScope.BASE, "(objectclass=*)", new String[] {"1.1"});
            pool.giveBack(c);
        } catch (LDAPException e) {
            ResultCode rc = e.getResultCode();
            pool.afterError(c, rc);
            throw TableException.retry((rc == ResultCode.NO_SUCH_OBJECT ? "search_base '" + base + "' not found: " : "base search failed: ")
                    + rc.intValue() + " (" + rc.getName() + ")" + detail(e));
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (domain != null) domain.close();
        release.run();
    }
}
