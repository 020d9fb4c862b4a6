package org.proxymap.server;

import org.proxymap.protocol.Status;

/**
 * The one reply to one request. Which of its parts go on the wire depends on the op and the
 * dialect ({@link RequestCodec#encode}); unused parts are 0 or "".
 *
 * @param op the request answered, or null for a request name Postfix does not know (the
 *        reply is then the status alone)
 * @param status a {@link Status} code
 */
public record Reply(Op op, Dialect dialect, int status, int flags, String key, String value) {
    /** A reply carrying only a status and flags (open, update, delete, and every failure). */
    static Reply of(Request r, int status, int flags) {
        return new Reply(r.op(), r.dialect(), status, flags, "", "");
    }

    /** The reply for a request refused before a table was used: every attribute, flags 0. */
    static Reply refused(Op op, Dialect dialect, int status) {
        return new Reply(op, dialect, status, 0, "", "");
    }

    public String statusName() { return Status.name(status); }
}
