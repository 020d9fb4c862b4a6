package org.proxymap.table.ldap;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.CRAMMD5BindRequest;
import com.unboundid.ldap.sdk.DIGESTMD5BindRequest;
import com.unboundid.ldap.sdk.GenericSASLBindRequest;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.PLAINBindRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.table.PoolStats;
import org.proxymap.table.PooledResource;
import org.proxymap.table.TableException;
import org.proxymap.table.sql.ConnectionBudget;
import org.proxymap.table.sql.UnixSocketFactory;

/**
 * The connections to one directory target, shared by every ldap table whose server, bind
 * and TLS settings are the same (Postfix's {@code dict_ldap_conn_find()} key): up to
 * {@code poolMax} connections, each counted in the service-wide {@link ConnectionBudget},
 * each carrying up to {@code searchesPerConnection} searches at once.
 *
 * <p>Several searches in flight on one connection (LDAP's message IDs; UnboundID's reader
 * thread hands each reply to its caller) cost the directory much less than one search per
 * connection: measured against slapd 2.5 on 2 cores, 16 lookups at once on one connection
 * took 62 µs of slapd CPU each, against 93 µs on 16 connections. So a lookup takes the
 * oldest connection with room, and the next connection opens only when every open one is
 * full. With one search per connection the lookup's own thread reads its reply
 * (synchronous mode), as libldap's synchronous calls in Postfix.
 *
 * <p>A connection is opened as Postfix's {@code dict_ldap_connect()} does: the servers in
 * order, then StartTLS, then the bind. A failure to connect or bind is logged when it first
 * happens and when it changes, and when the directory is back; never per lookup and never
 * with the password.
 */
final class LdapPool implements PooledResource, ConnectionBudget.IdleHolder {
    private static final Logger log = LogManager.getLogger("proxymap");
    /** Connections idle for longer are closed instead of reused (the server may have dropped them). */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** What the connections are made with: everything in Postfix's connection key, and the pool's bounds. */
    record Target(List<LdapConfig.Server> servers, int bind, String bindDn, String bindPw, String saslMechs,
                  String saslRealm, String saslAuthzId, int saslMinSsf, boolean startTls, LdapTls tls,
                  int dereference, boolean chaseReferrals, int version, int poolMax, int searchesPerConnection) {

        /** dn@servers: what logs and JMX show. Never the password. */
        String describe() {
            StringBuilder sb = new StringBuilder(bind == LdapConfig.BIND_NONE ? "(no bind)" : bindDn.isEmpty() ? "(anonymous)" : bindDn);
            sb.append('@');
            for (int i = 0; i < servers.size(); i++) sb.append(i > 0 ? "," : "").append(servers.get(i).url());
            return sb.toString();
        }
    }

    /** One open connection, the budget permit it holds and its searches in flight (guarded by the pool). */
    static final class Conn {
        final LDAPConnection ldap;
        final ConnectionBudget.Permit permit;
        int searches;
        long lastUsed = System.nanoTime();

        Conn(LDAPConnection ldap, ConnectionBudget.Permit permit) {
            this.ldap = ldap;
            this.permit = permit;
        }
    }

    private final Target target;
    private final String description;
    private final ConnectionBudget budget;
    /** one permit per search the pool can carry: max connections × searches per connection */
    private final Semaphore slots;
    private final int max, perConnection;
    /** open connections, oldest first (guarded by this) */
    private final List<Conn> conns = new ArrayList<>();
    /** connections being opened (guarded by this) */
    private int opening;
    private final AtomicLong created = new AtomicLong(), destroyed = new AtomicLong(), connectFailures = new AtomicLong();
    private final AtomicReference<String> lastFailure = new AtomicReference<>("");
    private volatile String serverInUse = "";

    LdapPool(Target target, ConnectionBudget budget) {
        this.target = target;
        this.description = "ldap " + target.describe();
        this.budget = budget;
        this.max = Math.max(1, Math.min(target.poolMax(), budget.max()));
        this.perConnection = Math.max(1, target.searchesPerConnection());
        this.slots = new Semaphore(max * perConnection, true);
        budget.register(this);
    }

    Target target() { return target; }

    /**
     * A connection for one lookup's searches: the oldest open one with room, or a new one
     * (connected, TLS, bound) when all are full.
     *
     * @throws TableException RETRY when every connection is full for {@code wait}, or none could be made
     */
    Conn borrow(Duration wait) throws TableException {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            if (!slots.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw TableException.retry(description + ": all " + max + " connections busy with " + perConnection
                        + " searches each; raise proxymap_sql_pool_max_connections (" + target.poolMax() + ") if the directory allows more");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TableException.retry(description + ": interrupted");
        }
        try {
            Conn c = withRoom(deadline);
            return c != null ? c : open(deadline);
        } catch (TableException | RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    /**
     * Takes a search's place on the oldest connection with room; null when the caller is to
     * open a new one (it then counts as opening). Closes connections idle too long on the way.
     * Waits while a connection is being opened, or until a search ends.
     */
    private Conn withRoom(long deadline) throws TableException {
        List<Conn> expired = new ArrayList<>(0);
        try {
            return withRoom(deadline, expired);
        } finally {
            for (Conn c : expired) close(c); // outside the lock: an unbind may wait on the network
        }
    }

    private synchronized Conn withRoom(long deadline, List<Conn> expired) throws TableException {
        while (true) {
            long now = System.nanoTime();
            for (Iterator<Conn> it = conns.iterator(); it.hasNext(); ) {
                Conn c = it.next();
                if (c.searches == 0 && (now - c.lastUsed >= IDLE_NANOS || !c.ldap.isConnected())) {
                    it.remove();
                    expired.add(c);
                } else if (c.searches < perConnection) {
                    c.searches++;
                    return c;
                }
            }
            // one connection opens at a time: a burst of lookups waits for it and fills it
            // before the next opens, instead of opening one each
            if (opening == 0 && conns.size() < max) {
                opening++;
                return null;
            }
            long left = deadline - now;
            if (left <= 0) throw TableException.retry(description + ": no connection within the timeout");
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw TableException.retry(description + ": interrupted");
            }
        }
    }

    /** Gives a working connection back: its search is done. */
    void giveBack(Conn c) {
        synchronized (this) {
            c.lastUsed = System.nanoTime();
            c.searches--;
            notifyAll();
        }
        slots.release();
    }

    /**
     * Closes a connection that failed (Postfix unbinds); the lookup's next borrow connects
     * afresh. Other searches on it fail too, and each gives it back the same way.
     */
    void discard(Conn c) {
        boolean close;
        synchronized (this) {
            c.searches--;
            close = conns.remove(c);
            notifyAll();
        }
        if (close) close(c);
        slots.release();
    }

    /**
     * Gives a connection back after a search failed with {@code rc}: closed only when that
     * broke it (lost, garbled), since other searches may share it. A search that timed out
     * (and was abandoned) closes it only when no other search is on it: closing it would fail
     * theirs, and the last of them to time out still closes a connection that stopped
     * answering. Postfix closes its connection after any error; the next lookup's answer is
     * the same either way.
     */
    void afterError(Conn c, ResultCode rc) {
        boolean shared;
        synchronized (this) {
            shared = c.searches > 1;
        }
        if (ResultCode.isConnectionUsable(rc) || (rc == ResultCode.TIMEOUT && shared)) {
            giveBack(c);
        } else {
            discard(c);
        }
    }

    /** The server is down: the idle connections are, too. */
    void dropIdle() { closeIdle(); }

    /** Closes a connection already taken off the list (under the pool's lock), so once. */
    private void close(Conn c) {
        c.ldap.close();
        c.permit.close();
        destroyed.incrementAndGet();
    }

    /**
     * Opens a connection for the caller's search, trying the servers in order as libldap
     * does; the caller counted as opening in {@link #withRoom}.
     */
    private Conn open(long deadline) throws TableException {
        Conn c = null;
        try {
            c = connect(deadline);
            return c;
        } finally {
            synchronized (this) {
                opening--;
                if (c != null) {
                    c.searches = 1;
                    conns.add(c);
                }
                notifyAll();
            }
        }
    }

    private Conn connect(long deadline) throws TableException {
        ConnectionBudget.Permit permit;
        while (true) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            try {
                permit = budget.permit(left, this);
                break;
            } catch (ConnectionBudget.UseIdle e) {
                // one of ours is idle, so it has room: search there instead of opening
                Conn c = idleOne();
                if (c != null) return c;
                if (System.nanoTime() - deadline > 0) throw TableException.retry(description + ": no connection within the timeout");
            } catch (ConnectionBudget.Exhausted e) {
                throw TableException.retry(description + ": " + e.getMessage() + "; raise proxymap_sql_max_connections ("
                        + budget.max() + ") if the directory allows more");
            }
        }
        Duration timeout = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        LDAPException last = null;
        for (LdapConfig.Server s : target.servers()) {
            try {
                LDAPConnection c = connect(s, timeout);
                created.incrementAndGet();
                serverInUse = s.url();
                String was = lastFailure.getAndSet("");
                if (!was.isEmpty()) log.info("{}: connected again to {}", description, s.url());
                return new Conn(c, permit);
            } catch (LDAPException e) {
                last = e;
            }
        }
        permit.close();
        connectFailures.incrementAndGet();
        String problem = message(last);
        if (!problem.equals(lastFailure.getAndSet(problem))) log.warn("{}: {}; lookups answer RETRY until this changes", description, problem);
        throw TableException.retry(description + ": " + problem);
    }

    /** An idle connection of ours, taken off the list (the caller adds it back as its own). */
    private synchronized Conn idleOne() {
        for (Iterator<Conn> it = conns.iterator(); it.hasNext(); ) {
            Conn c = it.next();
            if (c.searches == 0) {
                it.remove();
                return c;
            }
        }
        return null;
    }

    @SuppressWarnings("deprecation") // setAutoReconnect(false): deprecated, but says the default we rely on
    private LDAPConnection connect(LdapConfig.Server s, Duration timeout) throws LDAPException {
        int ms = timeout.isZero() ? 0 : (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        LDAPConnectionOptions o = new LDAPConnectionOptions();
        o.setConnectTimeoutMillis(ms);
        o.setResponseTimeoutMillis(ms);
        o.setAbandonOnTimeout(true);
        o.setFollowReferrals(target.chaseReferrals());
        o.setBindWithDNRequiresPassword(false); // libldap sends it; the server decides
        o.setAutoReconnect(false);
        o.setUseKeepAlive(true);
        // one search at a time per connection: the lookup's own thread reads the reply, instead
        // of a reader thread per connection handing it over (a wake-up per lookup)
        o.setUseSynchronousMode(perConnection == 1);
        o.setSSLSocketVerifier(target.tls().verifier());
        SocketFactory sf;
        String host = s.host();
        int port = s.port();
        try {
            if (s.scheme().equals("ldapi")) {
                sf = new UnixSocketFactory(s.socketPath());
                host = "localhost";
                port = 389;
            } else if (s.scheme().equals("ldaps")) {
                sf = target.tls().socketFactory();
            } else {
                sf = SocketFactory.getDefault();
            }
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new LDAPException(ResultCode.LOCAL_ERROR, "TLS settings: " + e.getMessage(), e);
        }
        LDAPConnection c = new LDAPConnection(sf, o);
        try {
            c.connect(host, port, ms);
            if (target.startTls()) {
                SSLContext ctx;
                try {
                    ctx = target.tls().context();
                } catch (java.security.GeneralSecurityException | java.io.IOException e) {
                    throw new LDAPException(ResultCode.LOCAL_ERROR, "TLS settings: " + e.getMessage(), e);
                }
                ExtendedResult r = c.processExtendedOperation(new StartTLSExtendedRequest(ctx));
                if (r.getResultCode() != ResultCode.SUCCESS) {
                    throw new LDAPException(r.getResultCode(), "Unable to set STARTTLS: " + r.getDiagnosticMessage());
                }
            }
            if (target.bind() != LdapConfig.BIND_NONE) {
                BindRequest b = bindRequest(ms, !s.scheme().equals("ldap") || target.startTls());
                try {
                    c.bind(b);
                } catch (LDAPException e) {
                    String dn = target.bindDn().isEmpty() ? "empty or implicit" : target.bindDn();
                    throw new LDAPException(e.getResultCode(), "Unable to bind to server " + s.url() + " with dn " + dn + ": "
                            + e.getResultCode().intValue() + " (" + e.getResultCode().getName() + ")"
                            + (e.getDiagnosticMessage() != null ? ": " + e.getDiagnosticMessage() : ""));
                }
            }
            return c;
        } catch (LDAPException e) {
            c.close();
            throw e;
        }
    }

    /** Cyrus SASL's flags of a mechanism (sasl.h): what libsasl weighs when it chooses. */
    private static final int NOPLAINTEXT = 0x1, NODICTIONARY = 0x4, NOANONYMOUS = 0x10, MUTUAL_AUTH = 0x40;

    /** A mechanism of Cyrus SASL's plugins (libsasl2-modules) that this server can bind with. */
    private record Mech(String name, int maxSsf, int flags) {}

    private static final List<Mech> MECHS = List.of(
            new Mech("EXTERNAL", 0, NOPLAINTEXT | NOANONYMOUS | NODICTIONARY),
            new Mech("DIGEST-MD5", 128, NOPLAINTEXT | NOANONYMOUS | MUTUAL_AUTH),
            new Mech("CRAM-MD5", 0, NOPLAINTEXT | NOANONYMOUS),
            new Mech("PLAIN", 0, NOANONYMOUS));

    /**
     * The mechanism libsasl's sasl_client_start() takes from {@code sasl_mechs}: in their order,
     * skipping those it lacks and those that fall short of libldap's default security
     * properties (no plaintext passwords, unless TLS or ldapi:// protects the connection; no
     * anonymous; EXTERNAL only there too); a later one replaces the choice only if its maximum SSF is higher and it has
     * every flag of the choice (so "PLAIN CRAM-MD5 DIGEST-MD5" over ldap:// is DIGEST-MD5). Null
     * if none qualifies (libsasl: "No worthy mechs found").
     */
    static String chooseMech(String saslMechs, boolean secureLayer) {
        int required = NOANONYMOUS | (secureLayer ? 0 : NOPLAINTEXT);
        Mech best = null;
        for (String name : saslMechs.trim().split("[,\\s]+")) {
            Mech m = MECHS.stream().filter(x -> x.name().equalsIgnoreCase(name)).findFirst().orElse(null);
            // EXTERNAL needs an identity outside SASL: libldap has one on ldapi:// and over TLS
            if (m == null || (required & ~m.flags()) != 0 || (m.name().equals("EXTERNAL") && !secureLayer)) continue;
            if (best != null && (m.maxSsf() <= best.maxSsf() || (best.flags() & ~m.flags()) != 0)) continue;
            best = m;
        }
        return best == null ? null : best.name();
    }

    private BindRequest bindRequest(int ms, boolean secureLayer) throws LDAPException {
        BindRequest b;
        if (target.bind() == LdapConfig.BIND_SIMPLE) {
            b = new SimpleBindRequest(target.bindDn(), target.bindPw());
        } else {
            String mech = chooseMech(target.saslMechs(), secureLayer);
            if (mech == null) {
                throw new LDAPException(ResultCode.AUTH_METHOD_NOT_SUPPORTED, "SASL(-4): no mechanism available: No worthy mechs found"
                        + " in sasl_mechs = " + target.saslMechs() + " (here: EXTERNAL, DIGEST-MD5, CRAM-MD5, and PLAIN over TLS or"
                        + " ldapi:// only)");
            }
            String authz = target.saslAuthzId().isEmpty() ? null : target.saslAuthzId();
            String realm = target.saslRealm().isEmpty() ? null : target.saslRealm();
            b = switch (mech) {
                case "PLAIN" -> new PLAINBindRequest(target.bindDn(), authz, target.bindPw());
                // as libsasl: the authorization ID (maybe empty) as the initial response; OpenLDAP
                // answers a request without credentials with "SASL bind in progress"
                case "EXTERNAL" -> new GenericSASLBindRequest(null, "EXTERNAL", new ASN1OctetString(authz == null ? "" : authz));
                case "DIGEST-MD5" -> new DIGESTMD5BindRequest(target.bindDn(), authz, target.bindPw(), realm);
                default -> new CRAMMD5BindRequest(target.bindDn(), target.bindPw());
            };
        }
        b.setResponseTimeoutMillis(ms);
        return b;
    }

    /** An LDAP error without the password, whatever the library put in it. */
    String message(Throwable e) {
        String m = e == null ? "no server in server_host" : e instanceof LDAPException le ? le.getMessage() : String.valueOf(e.getMessage());
        String pw = target.bindPw();
        if (pw.length() >= 3 && m != null) m = m.replace(pw, "*****");
        return String.valueOf(m).replace('\n', ' ');
    }

    @Override
    public synchronized int idle() {
        int n = 0;
        for (Conn c : conns) if (c.searches == 0) n++;
        return n;
    }

    @Override
    public void closeIdle() {
        Conn c;
        while ((c = idleOne()) != null) close(c);
    }

    @Override
    public synchronized PoolStats poolStats() {
        int servers = target.servers().size();
        int idle = idle();
        // a connection tries every server in turn: one that failed found them all down
        return new PoolStats("ldap:" + target.describe(), description, serverInUse, conns.size() - idle, idle, slots.getQueueLength(),
                max, created.get(), destroyed.get(), connectFailures.get(), servers, lastFailure.get().isEmpty() ? 0 : servers);
    }

    @Override
    public void close() {
        budget.unregister(this);
        closeIdle();
    }
}
