package org.proxymap.server;

/**
 * The two request layouts of the proxymap protocol. A/B clients (Postfix up to 3.10) send
 * {@code flags} only; C clients (3.11+) send {@code instance_flags} too and get {@code flags}
 * back in every reply. The dialect is decided per request by the presence of
 * {@code instance_flags}.
 */
public enum Dialect {
    AB("A/B"), C("C");

    private final String label;

    Dialect(String label) { this.label = label; }

    /** How operators see it (JMX {@code RequestsByDialect}). */
    public String label() { return label; }
}
