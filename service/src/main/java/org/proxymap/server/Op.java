package org.proxymap.server;

/** The proxymap requests, each owning the name it has on the wire ({@code request = lookup}). */
public enum Op {
    OPEN("open"), LOOKUP("lookup"), UPDATE("update"), DELETE("delete"), SEQUENCE("sequence");

    private final String wireName;

    Op(String wireName) { this.wireName = wireName; }

    public String wireName() { return wireName; }

    /** True for the requests only the proxywrite service accepts. */
    public boolean writes() { return this == UPDATE || this == DELETE; }

    /** The op named {@code name} on the wire, or null for a request Postfix does not know. */
    public static Op forWireName(String name) {
        for (Op op : values()) if (op.wireName.equals(name)) return op;
        return null;
    }
}
