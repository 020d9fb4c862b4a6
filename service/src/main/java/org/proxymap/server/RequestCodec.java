package org.proxymap.server;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.protocol.Status;

/**
 * Attribute lists to {@link Request}s and {@link Reply}s to bytes: the one place that knows
 * the request and reply layouts of dialects A/B and C. Requests are parsed strictly in wire
 * order, with Postfix's warnings ({@code attr_scan} with {@code ATTR_FLAG_STRICT}).
 */
public final class RequestCodec {
    private static final Logger log = LogManager.getLogger("proxymap");

    private static final String REQUEST = "request", TABLE = "table", INST = "instance_flags", FLAGS = "flags",
            KEY = "key", VALUE = "value", FUNCTION = "function", STATUS = "status";

    private RequestCodec() {}

    /** The attributes after {@code request}, in wire order. */
    private static String[] layout(Op op, Dialect d) {
        boolean c = d == Dialect.C;
        return switch (op) {
            case OPEN -> c ? new String[] {TABLE, INST} : new String[] {TABLE, FLAGS};
            case LOOKUP, DELETE -> c ? new String[] {TABLE, INST, FLAGS, KEY} : new String[] {TABLE, FLAGS, KEY};
            case UPDATE -> c ? new String[] {TABLE, INST, FLAGS, KEY, VALUE} : new String[] {TABLE, FLAGS, KEY, VALUE};
            case SEQUENCE -> c ? new String[] {TABLE, INST, FLAGS, FUNCTION} : new String[] {TABLE, FLAGS, FUNCTION};
        };
    }

    /**
     * A request that cannot be served, thrown by {@link #decode} (without a stack trace) once
     * the warning is logged.
     */
    public static final class BadRequest extends Exception {
        private final Op op;
        private final Dialect dialect;
        private final boolean close;

        BadRequest(Op op, Dialect dialect, boolean close) {
            super(null, null, false, false);
            this.op = op;
            this.dialect = dialect;
            this.close = close;
        }

        /** The request's op, or null when it named none Postfix knows (or none at all). */
        public Op op() { return op; }

        /** Its dialect, or null with a null op. */
        public Dialect dialect() { return dialect; }

        /**
         * What the client is told; null when no reply must be sent because the first attribute
         * was not {@code request} (Postfix then stays silent and leaves the client hanging until
         * its own timeout; closing lets it reconnect).
         */
        public Reply reply() { return close ? null : Reply.refused(op, dialect, Status.BAD); }
    }

    /**
     * Decodes one request.
     *
     * @param peer the client as warnings name it ("proxymap socket")
     */
    public static Request decode(AttrList req, String peer) throws BadRequest {
        if (req.size() == 0 || !req.name(0).equals(REQUEST)) {
            log.warn("unexpected attribute {} from {} (expecting: request); closing this connection",
                    req.size() == 0 ? "(list terminator)" : req.name(0), peer);
            throw new BadRequest(null, null, true);
        }
        Op op = Op.forWireName(req.value(0));
        if (op == null) {
            log.warn("unrecognized request: \"{}\", ignored", req.value(0));
            throw new BadRequest(null, null, false);
        }
        Dialect dialect = req.indexOf(INST) > 0 ? Dialect.C : Dialect.AB;
        String[] layout = layout(op, dialect);
        String table = null, key = "", value = "";
        long inst = 0, flags = 0, function = 0;
        for (int i = 0; i < layout.length; i++) {
            String want = layout[i];
            int at = i + 1;
            if (at >= req.size()) {
                log.warn("missing attribute {} in input from {}", want, peer);
                throw new BadRequest(op, dialect, false);
            }
            if (!req.name(at).equals(want)) {
                log.warn("unexpected attribute {} from {} (expecting: {})", req.name(at), peer, want);
                throw new BadRequest(op, dialect, false);
            }
            String v = req.value(at);
            switch (want) {
                case TABLE -> table = v;
                case KEY -> key = v;
                case VALUE -> value = v;
                default -> {
                    long n = unsigned(v);
                    if (n < 0) {
                        log.warn("malformed numerical data from {} while reading input attribute value: {}", peer, v);
                        throw new BadRequest(op, dialect, false);
                    }
                    switch (want) {
                        case INST -> inst = n;
                        case FLAGS -> flags = n;
                        default -> function = n;
                    }
                }
            }
        }
        if (req.size() > layout.length + 1) {
            log.warn("unexpected attribute {} from {} (expecting: (list terminator))", req.name(layout.length + 1), peer);
        }
        int i = (int) inst, f = (int) flags;
        return switch (op) {
            case OPEN -> new Request.Open(dialect, table, i, f);
            case LOOKUP -> new Request.Lookup(dialect, table, i, f, key);
            case UPDATE -> new Request.Update(dialect, table, i, f, key, value);
            case DELETE -> new Request.Delete(dialect, table, i, f, key);
            case SEQUENCE -> {
                // Postfix checks the function with the attributes, before the service and the allow-list
                if (function != Request.Sequence.FIRST && function != Request.Sequence.NEXT) {
                    log.warn("unknown sequence function {} from {}; expected 0 (first) or 1 (next)", function, peer);
                    throw new BadRequest(op, dialect, false);
                }
                yield new Request.Sequence(dialect, table, i, f, (int) function);
            }
        };
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

    /**
     * Encodes {@code r} into {@code out} (reset first): the status; {@code flags} in every
     * dialect-C reply and in every open reply; {@code key} for sequence; {@code value} for
     * lookup and sequence.
     */
    public static void encode(Reply r, AttrWriter out) {
        out.reset();
        out.num(STATUS, r.status());
        Op op = r.op();
        if (op != null) {
            if (op == Op.OPEN || r.dialect() == Dialect.C) out.num(FLAGS, Integer.toUnsignedLong(r.flags()));
            if (op == Op.SEQUENCE) out.str(KEY, r.key());
            if (op == Op.LOOKUP || op == Op.SEQUENCE) out.str(VALUE, r.value());
        }
        out.end();
    }
}
