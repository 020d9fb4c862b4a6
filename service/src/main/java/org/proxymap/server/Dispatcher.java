package org.proxymap.server;

import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.config.AllowList;
import org.proxymap.config.ServiceConfig;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.protocol.DictFlags;
import org.proxymap.protocol.Status;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableException;
import org.proxymap.table.TableHandle;
import org.proxymap.table.TableRegistry;

/**
 * One request in, exactly one reply out, as Postfix's {@code proxymap_service()}: strict
 * parse of the request's attributes in wire order, allow-list check on every request,
 * shared table instance, and the reply layout of the client's dialect.
 *
 * <p>Dialects: A/B clients (Postfix up to 3.10) send {@code flags}; C clients (3.11+) send
 * {@code instance_flags} too and get {@code flags} back in every reply. The dialect is
 * decided per request by the presence of {@code instance_flags}.
 */
public final class Dispatcher {
    private static final Logger log = LogManager.getLogger("proxymap");

    private static final String TABLE = "table", INST = "instance_flags", FLAGS = "flags", KEY = "key",
            VALUE = "value", FUNCTION = "function", STATUS = "status";

    private static final String[][] LAYOUT_B = {
        {TABLE, FLAGS}, {TABLE, FLAGS, KEY}, {TABLE, FLAGS, KEY, VALUE}, {TABLE, FLAGS, KEY}, {TABLE, FLAGS, FUNCTION}};
    private static final String[][] LAYOUT_C = {
        {TABLE, INST}, {TABLE, INST, FLAGS, KEY}, {TABLE, INST, FLAGS, KEY, VALUE}, {TABLE, INST, FLAGS, KEY},
        {TABLE, INST, FLAGS, FUNCTION}};
    private static final int OPEN = 0, LOOKUP = 1, UPDATE = 2, DELETE = 3, SEQUENCE = 4;

    private final TableRegistry registry;
    private final ServerCounters counters;
    private final Supplier<ServiceState> state;

    public Dispatcher(TableRegistry registry, ServerCounters counters, Supplier<ServiceState> state) {
        this.registry = registry;
        this.counters = counters;
        this.state = state;
    }

    /** The parsed request; fields are filled in wire order. */
    private static final class Request {
        int op;
        boolean dialectC;
        String table;
        long instanceFlags;
        long flags;
        String key = "";
        String value = "";
        long function;
    }

    /**
     * Handles one request and encodes its reply into {@code out}.
     *
     * @return false when no reply must be sent and the connection should be closed
     *         (the first attribute was not {@code request}: Postfix then stays silent and
     *         leaves the client hanging until its own timeout; closing lets it reconnect)
     */
    public boolean handle(AttrList req, Session session, AttrWriter out) {
        if (req.size() == 0 || !req.name(0).equals("request")) {
            counters.malformed.increment();
            log.warn("unexpected attribute {} from {} (expecting: request); closing this connection",
                    req.size() == 0 ? "(list terminator)" : req.name(0), session.socketName());
            return false;
        }
        String name = req.value(0);
        int index = ServerCounters.requestIndex(name);
        counters.requests[index].increment();
        if (index == ServerCounters.REQUESTS.length - 1) {
            counters.malformed.increment();
            log.warn("unrecognized request: \"{}\", ignored", name);
            reply(out, Status.BAD);
            out.num(STATUS, Status.BAD).end();
            return true;
        }
        Request r = new Request();
        r.op = index;
        r.dialectC = req.indexOf(INST) > 0;
        counters.dialectRequests[r.dialectC ? 1 : 0].increment();
        if (!parse(req, r, session)) {
            counters.malformed.increment();
            return fail(out, r, Status.BAD);
        }
        // Postfix checks the function with the attributes, before the service and the allow-list
        if (r.op == SEQUENCE && r.function != 0 && r.function != 1) {
            counters.malformed.increment();
            log.warn("unknown sequence function {} from {}; expected 0 (first) or 1 (next)", r.function, session.socketName());
            return fail(out, r, Status.BAD);
        }
        return execute(r, session, out);
    }

    private boolean parse(AttrList req, Request r, Session session) {
        String[] layout = (r.dialectC ? LAYOUT_C : LAYOUT_B)[r.op];
        for (int i = 0; i < layout.length; i++) {
            String want = layout[i];
            int at = i + 1;
            if (at >= req.size()) {
                log.warn("missing attribute {} in input from {}", want, session.socketName());
                return false;
            }
            if (!req.name(at).equals(want)) {
                log.warn("unexpected attribute {} from {} (expecting: {})", req.name(at), session.socketName(), want);
                return false;
            }
            String v = req.value(at);
            switch (want) {
                case TABLE -> r.table = v;
                case KEY -> r.key = v;
                case VALUE -> r.value = v;
                default -> {
                    long n = unsigned(v);
                    if (n < 0) {
                        log.warn("malformed numerical data from {} while reading input attribute value: {}",
                                session.socketName(), v);
                        return false;
                    }
                    switch (want) {
                        case INST -> r.instanceFlags = n;
                        case FLAGS -> r.flags = n;
                        default -> r.function = n;
                    }
                }
            }
        }
        if (req.size() > layout.length + 1) {
            log.warn("unexpected attribute {} from {} (expecting: (list terminator))",
                    req.name(layout.length + 1), session.socketName());
        }
        return true;
    }

    /** Digits only, as real clients send them, within a C unsigned int; else -1. */
    private static long unsigned(String v) {
        int n = v.length();
        if (n == 0) return -1;
        long x = 0;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') return -1;
            x = x * 10 + (c - '0');
            if (x > 0xFFFFFFFFL) return -1;
        }
        return x;
    }

    private boolean execute(Request r, Session session, AttrWriter out) {
        ServiceConfig config = state.get().config();
        if ((r.op == UPDATE || r.op == DELETE) && !session.writeService()) {
            counters.denied(AllowList.stripProxy(r.table));
            log.warn("refusing {} {} request on non-proxywrite service", r.table, r.op == UPDATE ? "update" : "delete");
            return fail(out, r, Status.DENY);
        }
        String table = AllowList.stripProxy(r.table);
        if (table.indexOf(':') < 0) {
            counters.malformed.increment();
            log.warn("malformed table name: \"{}\"; expected type:name", r.table);
            return fail(out, r, Status.BAD);
        }
        AllowList allowed = session.writeService() ? config.writeMaps : config.readMaps;
        if (!allowed.allows(table)) {
            counters.denied(table);
            log.warn("request for unapproved table: \"{}\"", table);
            if (session.writeService()) {
                log.warn("to approve this table for read-write access, list proxy:{} in main.cf:proxy_write_maps", table);
            } else {
                log.warn("to approve this table for read-only access, list proxy:{} in main.cf:proxy_read_maps", table);
            }
            return fail(out, r, Status.DENY);
        }
        int instanceFlags = OpenFlags.of(r.dialectC, r.instanceFlags, r.flags).bits();
        TableHandle h = registry.acquire(table, session.writeService(), instanceFlags);
        try {
            return operate(r, h, session, out, config.configAsRetry);
        } finally {
            h.release();
        }
    }

    private boolean operate(Request r, TableHandle h, Session session, AttrWriter out, boolean configAsRetry) {
        int impl = h.table().implFlags();
        int flags = (int) r.flags;
        if (r.op == OPEN) {
            // C: the instance flags plus the type bits. A/B: the flags a freshly opened Postfix
            // instance reports (the open request's flags plus the type bits); Postfix's later
            // replies also carry request bits left by earlier requests, which clients ignore
            int replyFlags = (r.dialectC ? (int) r.instanceFlags : flags) | impl;
            reply(out, Status.OK);
            out.num(STATUS, Status.OK).num(FLAGS, replyFlags & 0xFFFFFFFFL).end();
            return true;
        }
        String key = OpenFlags.lookupKey(impl, r.flags, r.key);
        var c = h.counters();
        long start = System.nanoTime();
        int status;
        String k = "";
        String v = "";
        try {
            switch (r.op) {
                case LOOKUP -> {
                    c.lookups.increment();
                    v = key.isEmpty() ? null : h.table().lookup(key);
                    status = v == null ? Status.NOKEY : Status.OK;
                    (v == null ? c.misses : c.hits).increment();
                    if (v == null) v = "";
                }
                case UPDATE -> {
                    c.updates.increment();
                    h.table().update(key, r.value);
                    status = Status.OK;
                    flags |= DictFlags.SYNC_UPDATE | DictFlags.DUP_REPLACE;
                }
                case DELETE -> {
                    c.deletes.increment();
                    status = h.table().delete(key) ? Status.OK : Status.NOKEY;
                    flags |= DictFlags.SYNC_UPDATE;
                }
                default -> {
                    Iterator<Map.Entry<String, String>> it = r.function == 0 ? null : session.cursor(h);
                    if (it == null) {
                        it = h.table().entries();
                        session.cursor(h, it);
                    }
                    if (it.hasNext()) {
                        Map.Entry<String, String> e = it.next();
                        k = e.getKey();
                        v = e.getValue();
                        status = Status.OK;
                    } else {
                        status = Status.NOKEY;
                    }
                }
            }
        } catch (TableException e) {
            status = e.status() == Status.CONFIG && configAsRetry ? Status.RETRY : e.status();
            c.error(e.getMessage());
            if (r.op == UPDATE) flags |= DictFlags.SYNC_UPDATE | DictFlags.DUP_REPLACE;
            if (r.op == DELETE) flags |= DictFlags.SYNC_UPDATE;
            k = "";
            v = "";
        } catch (RuntimeException e) {
            // a table bug must cost one request, never the connection or the server
            status = Status.RETRY;
            c.error(e.toString());
            log.error("{}: {} failed: {}", h.fullName(), ServerCounters.REQUESTS[r.op], e.toString(), e);
            k = "";
            v = "";
        }
        c.latency(System.nanoTime() - start);
        if (status == Status.RETRY) c.retries.increment();
        reply(out, status);
        out.num(STATUS, status);
        if (r.dialectC) out.num(FLAGS, flags & 0xFFFFFFFFL);
        if (r.op == SEQUENCE) out.str(KEY, k);
        if (r.op == LOOKUP || r.op == SEQUENCE) out.str(VALUE, v);
        out.end();
        return true;
    }

    /** The reply for a request that failed before a table was used: every attribute, flags 0. */
    private boolean fail(AttrWriter out, Request r, int status) {
        reply(out, status);
        out.num(STATUS, status);
        if (r.op == OPEN || r.dialectC) out.num(FLAGS, 0);
        if (r.op == SEQUENCE) out.str(KEY, "");
        if (r.op == LOOKUP || r.op == SEQUENCE) out.str(VALUE, "");
        out.end();
        return true;
    }

    private void reply(AttrWriter out, int status) {
        out.reset();
        counters.replies[status].increment();
    }
}
