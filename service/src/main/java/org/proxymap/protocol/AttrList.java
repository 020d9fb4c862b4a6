package org.proxymap.protocol;

import java.util.Arrays;

/**
 * One attribute list as it came off the wire: names and values in wire order.
 *
 * <p>Strings are ISO-8859-1 decoded so that every byte maps to exactly one char and back:
 * keys and values are arbitrary non-NUL bytes (normally UTF-8), and the server must pass
 * them through unchanged. Re-used by the reader of one connection.
 */
public final class AttrList {
    private String[] names = new String[8];
    private String[] values = new String[8];
    private int size;

    public int size() { return size; }
    public String name(int i) { return names[i]; }
    public String value(int i) { return values[i]; }

    public void clear() {
        Arrays.fill(names, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
    }

    public void add(String name, String value) {
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size++] = value;
    }

    /** Index of the first attribute with this name, or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) return i;
        }
        return -1;
    }

    public static AttrList of(String... nameValues) {
        AttrList list = new AttrList();
        for (int i = 0; i < nameValues.length; i += 2) list.add(nameValues[i], nameValues[i + 1]);
        return list;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            if (i > 0) sb.append(", ");
            sb.append(names[i]).append('=').append('"').append(values[i]).append('"');
        }
        return sb.append('}').toString();
    }
}
