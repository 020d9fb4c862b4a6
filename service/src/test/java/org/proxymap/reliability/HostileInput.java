package org.proxymap.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates hostile proxymap input from a seeded random source, so that any failure is
 * reproduced by its seed: well-formed requests of every kind and dialect, then mutated
 * (truncated, NULs dropped or added, huge or oversized attributes, wrong types, wrong,
 * missing, extra, reordered or too many attributes), or plain random bytes.
 */
final class HostileInput {
    /** Attribute names the server knows, so that mutations reach the deeper checks too. */
    static final String[] NAMES = {"request", "table", "flags", "instance_flags", "key", "value", "function"};
    static final String[] REQUESTS = {"open", "lookup", "update", "delete", "sequence"};
    /** Numbers as hostile clients write them: signs, spaces, overflow, hex, empty. */
    static final String[] BAD_NUMBERS = {"", "-1", "+5", " 5", "5 ", "4294967296", "99999999999999999999", "0x10",
        "1e3", "\u00ff", "00000000000000000001", "4294967295", "-0", "NaN"};

    private final SplittableRandom rnd;
    private final List<String> tables;
    private final int maxAttributes;
    private final int maxAttributeSize;

    HostileInput(long seed, List<String> tables, int maxAttributes, int maxAttributeSize) {
        this.rnd = new SplittableRandom(seed);
        this.tables = tables;
        this.maxAttributes = maxAttributes;
        this.maxAttributeSize = maxAttributeSize;
    }

    /** One well-formed request as name/value pairs (either dialect, any kind). */
    static List<String[]> request(String op, String table, boolean dialectC, String key) {
        List<String[]> l = new ArrayList<>();
        l.add(new String[] {"request", op});
        l.add(new String[] {"table", table});
        if (dialectC) l.add(new String[] {"instance_flags", "540737"});
        if (!op.equals("open") || !dialectC) l.add(new String[] {"flags", op.equals("open") ? "0" : "540737"});
        switch (op) {
            case "lookup", "delete" -> l.add(new String[] {"key", key});
            case "update" -> {
                l.add(new String[] {"key", key});
                l.add(new String[] {"value", "v"});
            }
            case "sequence" -> l.add(new String[] {"function", "0"});
            default -> { }
        }
        return l;
    }

    static byte[] encode(List<String[]> attrs, boolean terminate) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] a : attrs) {
            out.writeBytes(a[0].getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
            out.writeBytes(a[1].getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        if (terminate) out.write(0);
        return out.toByteArray();
    }

    /** The next hostile input: a whole byte sequence a client sends before it half-closes. */
    byte[] next() {
        int kind = rnd.nextInt(10);
        if (kind == 0) return randomBytes(rnd.nextInt(400), rnd.nextBoolean());
        List<String[]> attrs = request(pick(REQUESTS), pick(tables), rnd.nextBoolean(), randomString(rnd.nextInt(20)));
        int mutations = 1 + rnd.nextInt(3);
        for (int i = 0; i < mutations; i++) mutateList(attrs);
        byte[] bytes = encode(attrs, rnd.nextInt(8) != 0);
        if (rnd.nextInt(3) == 0) bytes = mutateBytes(bytes);
        if (rnd.nextInt(6) == 0) { // several lists back to back, as a pipelining client would
            byte[] more = encode(request("lookup", pick(tables), rnd.nextBoolean(), "k"), true);
            byte[] both = java.util.Arrays.copyOf(bytes, bytes.length + more.length);
            System.arraycopy(more, 0, both, bytes.length, more.length);
            bytes = both;
        }
        return bytes;
    }

    private void mutateList(List<String[]> attrs) {
        int i = attrs.isEmpty() ? 0 : rnd.nextInt(attrs.size());
        switch (rnd.nextInt(11)) {
            case 0 -> { if (!attrs.isEmpty()) attrs.remove(i); }                            // missing
            case 1 -> attrs.add(rnd.nextInt(attrs.size() + 1), new String[] {pick(NAMES), randomString(8)}); // extra
            case 2 -> { if (attrs.size() > 1) java.util.Collections.swap(attrs, i, rnd.nextInt(attrs.size())); } // order
            case 3 -> { if (!attrs.isEmpty()) attrs.get(i)[1] = pick(BAD_NUMBERS); }        // wrong type
            case 4 -> { if (!attrs.isEmpty()) attrs.get(i)[0] = pick(NAMES); }              // wrong name
            case 5 -> { if (!attrs.isEmpty()) attrs.get(i)[0] = randomString(1 + rnd.nextInt(12)); }
            case 6 -> { if (!attrs.isEmpty()) attrs.get(i)[1] = huge(); }                    // huge value
            case 7 -> { if (!attrs.isEmpty()) attrs.get(i)[0] = "n".repeat(maxAttributeSize + 1); } // huge name
            case 8 -> { // too many attributes
                int n = maxAttributes + rnd.nextInt(4) - 1;
                for (int k = 0; k < n; k++) attrs.add(new String[] {"x" + k, "y"});
            }
            case 9 -> { if (!attrs.isEmpty()) attrs.get(0)[1] = rnd.nextBoolean() ? randomString(6) : pick(REQUESTS); }
            default -> { if (!attrs.isEmpty()) attrs.get(i)[1] = pick(tables); }
        }
    }

    /** At, just below or above the size limit, or far beyond it. */
    private String huge() {
        int n = switch (rnd.nextInt(4)) {
            case 0 -> maxAttributeSize;
            case 1 -> maxAttributeSize + 1;
            case 2 -> maxAttributeSize - 1;
            default -> maxAttributeSize * 4;
        };
        return "h".repeat(n);
    }

    private byte[] mutateBytes(byte[] b) {
        if (b.length == 0) return b;
        int at = rnd.nextInt(b.length);
        return switch (rnd.nextInt(4)) {
            case 0 -> java.util.Arrays.copyOf(b, at);                       // truncated
            case 1 -> { // one NUL dropped (or any byte flipped)
                byte[] c = b.clone();
                c[at] = c[at] == 0 ? (byte) 'z' : (byte) rnd.nextInt(256);
                yield c;
            }
            case 2 -> { // a NUL inserted
                byte[] c = new byte[b.length + 1];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at, c, at + 1, b.length - at);
                yield c;
            }
            default -> { // every NUL removed: one endless string
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                for (byte x : b) if (x != 0) o.write(x);
                yield o.toByteArray();
            }
        };
    }

    byte[] randomBytes(int n, boolean manyNuls) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = manyNuls && rnd.nextInt(4) == 0 ? 0 : (byte) rnd.nextInt(256);
        return b;
    }

    /** Any non-NUL bytes, as ISO-8859-1 chars. */
    String randomString(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append((char) (1 + rnd.nextInt(255)));
        return sb.toString();
    }

    int nextInt(int bound) { return rnd.nextInt(bound); }

    <T> T pick(T[] a) { return a[rnd.nextInt(a.length)]; }

    String pick(List<String> l) { return l.get(rnd.nextInt(l.size())); }
}
