package org.proxymap.table.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** texthash's compact map against a HashMap with the same puts, through growth and replacement. */
class Latin1MapTest {
    @Test
    void agreesWithHashMap() {
        Latin1Map map = new Latin1Map();
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            String key = "key" + i + "@example.com";
            String value = i % 7 == 0 ? "" : "target" + i + "\u00e9";   // empty and ISO-8859-1 values
            map.put(key, value);
            expected.put(key, value);
        }
        for (int i = 0; i < 50_000; i += 3) {   // replace: the new value wins
            map.put("key" + i + "@example.com", "new" + i);
            expected.put("key" + i + "@example.com", "new" + i);
        }
        map.trim();
        assertEquals(expected.size(), map.size());
        for (Map.Entry<String, String> e : expected.entrySet()) assertEquals(e.getValue(), map.get(e.getKey()), e.getKey());
        assertNull(map.get("key50000@example.com"));
        assertNull(map.get("KEY1@example.com"));   // exact, no folding
        assertNull(map.get("key1@example.co"));
        assertNull(map.get("key1\u0100@example.com"));   // beyond ISO-8859-1: never a key
        assertFalse(map.containsKey(""));
        assertTrue(map.containsKey("key0@example.com"));

        Map<String, String> seen = new HashMap<>();
        for (Iterator<Map.Entry<String, String>> it = map.entries(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            assertNull(seen.put(e.getKey(), e.getValue()), "twice: " + e.getKey());
        }
        assertEquals(expected, seen);
    }
}
