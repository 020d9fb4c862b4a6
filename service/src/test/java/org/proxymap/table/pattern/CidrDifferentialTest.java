package org.proxymap.table.pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.proxymap.table.LookupTable;
import org.proxymap.table.file.Differential;
import org.proxymap.table.file.Postmap;

/** cidr: against Debian's postmap on generated tables and IPv4/IPv6 keys, edge cases included. */
class CidrDifferentialTest {
    static String v4(Random r) {
        int[] pool = {0, 1, 10, 127, 128, 192, 168, 254, 255, 7};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            if (i > 0) sb.append('.');
            sb.append(r.nextInt(3) == 0 ? r.nextInt(256) : pool[r.nextInt(pool.length)]);
        }
        return sb.toString();
    }

    static String v6(Random r) {
        String[] forms = {"2001:db8::", "2001:db8:0:1::", "::", "::1", "fe80::", "::ffff:", "2001:DB8::", "ff02::", "0:0:0:0:0:0:0:"};
        String base = forms[r.nextInt(forms.length)];
        if (base.equals("::ffff:")) return base + v4(r);
        int tail = r.nextInt(4);
        StringBuilder sb = new StringBuilder(base);
        if (base.endsWith("::") && tail == 0) return base;
        for (int i = 0; i < Math.max(1, tail); i++) {
            if (i > 0) sb.append(':');
            sb.append(Integer.toHexString(r.nextInt(3) == 0 ? r.nextInt(0x10000) : r.nextInt(3)));
        }
        String s = sb.toString();
        return s.split(":", -1).length > 8 ? base + "1" : s;
    }

    static String network(Random r) {
        boolean six = r.nextBoolean();
        String a = six ? v6(r) : v4(r);
        int bits = six ? 128 : 32;
        return switch (r.nextInt(9)) {
            case 0 -> a;
            case 1 -> "[" + a + "]";
            case 2 -> "[" + a + "]/" + r.nextInt(bits + 2);
            case 3 -> a + "/0";
            case 4 -> a.replaceFirst("^(\\d+)\\.", "0$1.");            // leading zero
            case 5 -> a + "/" + (six ? 64 : 24);
            default -> a + "/" + r.nextInt(bits + 1);
        };
    }

    static String table(Random r) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < 12; i++) {
            int k = r.nextInt(14);
            if (k == 0 && depth < 2) {
                sb.append("if ").append(r.nextInt(3) == 0 ? "!" : "").append(network(r)).append('\n');
                depth++;
            } else if (k == 1 && depth > 0) {
                sb.append("endif\n");
                depth--;
            } else if (k == 2) {
                sb.append("# comment\n");
            } else {
                sb.append(r.nextInt(6) == 0 ? "!" : "").append(network(r)).append("\tr").append(i)
                        .append(r.nextInt(8) == 0 ? "\n  continued" : "").append('\n');
            }
        }
        if (r.nextBoolean()) sb.append("0.0.0.0/0 any4\n::/0 any6\n");
        return sb.toString();
    }

    @Test
    void cidrAgreesWithPostmap() throws Exception {
        Postmap postmap = Postmap.create();
        Random r = new Random(7);
        List<String> diffs = new ArrayList<>();
        List<String> edges = List.of("0.0.0.0", "255.255.255.255", "1.2.3.4", "01.2.3.4", "1.2.3", "1.2.3.4.5", "256.1.1.1",
                "::", "::1", "::ffff:1.2.3.4", "::FFFF:1.2.3.4", "2001:DB8::1", "2001:db8::1", "2001:0db8:0000::1",
                "2001:db8::00001", "1::2::3", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "fe80::1%eth0",
                "[1.2.3.4]", "x", "1.2.3.4 ", ":1::", "1:");
        int lookups = 0;
        for (int t = 0; t < 25; t++) {
            Path file = postmap.config().resolve("cidr" + t);
            String content = table(r);
            Files.writeString(file, content);
            LookupTable ours = new CidrType().open(file.toString(), RegexpDifferentialTest.READ);
            List<String> keys = new ArrayList<>(edges);
            for (int i = 0; i < 300; i++) keys.add(r.nextBoolean() ? v4(r) : v6(r));
            lookups += keys.size();
            var expected = postmap.query("cidr:" + file, keys);
            List<String> d = Differential.compare("cidr:" + file, expected, ours, keys);
            if (!d.isEmpty()) diffs.add("TABLE\n" + content + String.join("\n", d.subList(0, Math.min(5, d.size()))));
        }
        System.out.println("cidr differential: " + lookups + " lookups, " + diffs.size() + " tables differ");
        assertEquals(List.of(), diffs.subList(0, Math.min(diffs.size(), 3)));
    }
}
