package org.proxymap.table.file;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.proxymap.table.LookupTable;

/** Compares our table with postmap's answers for the same keys. */
public final class Differential {
    private Differential() {}

    /** @return one line per key where the answers differ (empty: none) */
    public static List<String> compare(String table, Map<String, String> postmap, LookupTable ours, List<String> keys)
            throws Exception {
        List<String> diffs = new ArrayList<>();
        for (String k : keys) {
            String expected = postmap.get(k);
            String actual = ours.lookup(k);
            if (expected == null ? actual != null : !expected.equals(actual)) {
                diffs.add(table + " key=" + show(k) + " postmap=" + show(expected) + " ours=" + show(actual));
            }
        }
        return diffs;
    }

    public static String show(String s) {
        if (s == null) return "(none)";
        return "\"" + new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) + "\"";
    }

    /** UTF-8 text as wire bytes (ISO-8859-1 decoded). */
    public static String bytes(String utf8) {
        return new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** Random keys over an alphabet (wire-byte strings), lengths 1..maxLen, without duplicates. */
    public static List<String> keys(Random rnd, List<String> alphabet, int count, int maxLen) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        int guard = 0;
        while (out.size() < count && guard++ < count * 20) {
            int len = 1 + rnd.nextInt(maxLen);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < len; i++) sb.append(alphabet.get(rnd.nextInt(alphabet.size())));
            out.add(sb.toString());
        }
        return new ArrayList<>(out);
    }
}
