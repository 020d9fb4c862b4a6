package org.proxymap.server;

/**
 * One decoded proxymap request, as Postfix's {@code proxymap_*_service()} functions read it.
 * Numbers are the wire's C unsigned ints held in an {@code int}. {@code instanceFlags} is what
 * a dialect-C client sent and 0 for A/B, whose instance flags are part of {@code flags}
 * ({@link Dispatcher} decides which bits select a table instance).
 */
public sealed interface Request {
    Dialect dialect();

    /** The table as the client named it, usually with {@code proxy:}. */
    String table();

    int instanceFlags();

    int flags();

    Op op();

    record Open(Dialect dialect, String table, int instanceFlags, int flags) implements Request {
        @Override public Op op() { return Op.OPEN; }
    }

    record Lookup(Dialect dialect, String table, int instanceFlags, int flags, String key) implements Request {
        @Override public Op op() { return Op.LOOKUP; }
    }

    record Update(Dialect dialect, String table, int instanceFlags, int flags, String key, String value)
            implements Request {
        @Override public Op op() { return Op.UPDATE; }
    }

    record Delete(Dialect dialect, String table, int instanceFlags, int flags, String key) implements Request {
        @Override public Op op() { return Op.DELETE; }
    }

    /** {@code function} is {@link #FIRST} or {@link #NEXT} (the codec refuses anything else). */
    record Sequence(Dialect dialect, String table, int instanceFlags, int flags, int function) implements Request {
        public static final int FIRST = 0, NEXT = 1;

        @Override public Op op() { return Op.SEQUENCE; }
    }
}
