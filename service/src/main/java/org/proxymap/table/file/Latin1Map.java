package org.proxymap.table.file;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A string-to-string map for texthash's contents whose keys and values are ISO-8859-1 text
 * (as every table file and request is read): every key and value in one byte array, an
 * open-addressing index of int slots. A third of a {@code HashMap<String, String>}'s heap
 * (about 60 instead of 180 bytes per entry), which is most of the service's heap for a big
 * table (README: Footprint); a lookup allocates only the value it returns.
 */
final class Latin1Map {
    private byte[] data = new byte[1 << 12];
    private int used;
    /** Per entry: key offset, key length, value offset, value length. */
    private int[] entries = new int[4 * 16];
    private int size;
    /** Entry number + 1, or 0 for an empty slot; at most half full. */
    private int[] slots = new int[32];

    int size() { return size; }

    /** The bytes of every key and value held. */
    int bytes() { return used; }

    /** The value for {@code key}, or null. */
    String get(String key) {
        int e = find(key);
        return e < 0 ? null : new String(data, entries[4 * e + 2], entries[4 * e + 3], StandardCharsets.ISO_8859_1);
    }

    boolean containsKey(String key) { return find(key) >= 0; }

    /** Adds {@code key} or replaces its value (the old value's bytes stay unused). */
    void put(String key, String value) {
        int e = find(key);
        if (e < 0) {
            if (2 * (size + 1) > slots.length) rehash(2 * slots.length);
            if (4 * size + 4 > entries.length) entries = Arrays.copyOf(entries, 2 * entries.length);
            e = size++;
            entries[4 * e] = append(key);
            entries[4 * e + 1] = key.length();
            int s = hash(key) & (slots.length - 1);
            while (slots[s] != 0) s = (s + 1) & (slots.length - 1);
            slots[s] = e + 1;
        }
        entries[4 * e + 2] = append(value);
        entries[4 * e + 3] = value.length();
    }

    /** Drops the spare capacity once loading is done. */
    void trim() {
        data = Arrays.copyOf(data, used);
        entries = Arrays.copyOf(entries, 4 * size);
    }

    Iterator<Map.Entry<String, String>> entries() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() { return next < size; }

            @Override
            public Map.Entry<String, String> next() {
                if (next >= size) throw new NoSuchElementException();
                int e = next++;
                return new AbstractMap.SimpleImmutableEntry<>(
                        new String(data, entries[4 * e], entries[4 * e + 1], StandardCharsets.ISO_8859_1),
                        new String(data, entries[4 * e + 2], entries[4 * e + 3], StandardCharsets.ISO_8859_1));
            }
        };
    }

    private int find(String key) {
        int n = key.length();
        int h = 0;
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            if (c > 0xff) return -1;   // no ISO-8859-1 key can equal it
            h = 31 * h + c;
        }
        for (int s = spread(h) & (slots.length - 1); slots[s] != 0; s = (s + 1) & (slots.length - 1)) {
            int e = slots[s] - 1;
            if (entries[4 * e + 1] == n && equal(entries[4 * e], key)) return e;
        }
        return -1;
    }

    private boolean equal(int off, String key) {
        for (int i = 0; i < key.length(); i++) {
            if ((data[off + i] & 0xff) != key.charAt(i)) return false;
        }
        return true;
    }

    private int append(String s) {
        int n = s.length();
        if (used + n > data.length) data = Arrays.copyOf(data, Math.max(2 * data.length, used + n));
        int off = used;
        for (int i = 0; i < n; i++) data[off + i] = (byte) s.charAt(i);
        used += n;
        return off;
    }

    private void rehash(int capacity) {
        int[] fresh = new int[capacity];
        for (int e = 0; e < size; e++) {
            int h = 0;
            int off = entries[4 * e];
            for (int i = 0; i < entries[4 * e + 1]; i++) h = 31 * h + (data[off + i] & 0xff);
            int s = spread(h) & (capacity - 1);
            while (fresh[s] != 0) s = (s + 1) & (capacity - 1);
            fresh[s] = e + 1;
        }
        slots = fresh;
    }

    private static int hash(String key) { return spread(key.hashCode()); }

    /** String.hashCode's low bits alone cluster for keys that differ in their last characters. */
    private static int spread(int h) {
        int x = h * 0x9E3779B1;
        return x ^ (x >>> 15);
    }
}
