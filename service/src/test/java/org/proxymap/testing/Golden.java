package org.proxymap.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The golden transcripts of Postfix's real proxymap, copied into test resources
 * ({@code golden/vectors-*.json}): every byte that went over the socket, per scenario, in
 * the three client dialects. The captures ran with the instance directory
 * {@link #CAPTURE_DIR}, which is part of table names on the wire; {@link Scenario#withDir}
 * moves a scenario to another directory consistently (bytes and attributes).
 */
public final class Golden {
    private Golden() {}

    /** The instance directory of the captures. */
    public static final String CAPTURE_DIR = "/srv/postfix-test";

    public enum Dialect {
        /** Postfix 3.5.27: no hello. */
        A("vectors-3.5-A.json"),
        /** Postfix 3.7.11 (Debian 12): hello, flags. */
        B("vectors-3.7-B.json"),
        /** Postfix 3.11.6: hello, instance_flags, flags in every reply. */
        C("vectors-3.11-C.json");

        final String resource;

        Dialect(String resource) { this.resource = resource; }
    }

    /**
     * One step of a transcript: a message ({@code C->S} or {@code S->C}) with its bytes and,
     * when the bytes are a complete attribute list, its attributes (name, value pairs;
     * ISO-8859-1, one char per byte); or an event ({@code connect}, {@code timeout},
     * {@code close}, {@code killed}) with its info.
     */
    public record Step(String kind, String info, byte[] bytes, List<String[]> attrs) {
        public boolean toServer() { return kind.equals("C->S"); }
        public boolean toClient() { return kind.equals("S->C"); }
        public boolean isMessage() { return toServer() || toClient(); }

        Step replace(String from, String to) {
            if (!isMessage()) return this;
            String latin1 = new String(bytes, StandardCharsets.ISO_8859_1).replace(from, to);
            List<String[]> a = null;
            if (attrs != null) {
                a = new ArrayList<>();
                for (String[] nv : attrs) a.add(new String[] {nv[0], nv[1].replace(from, to)});
            }
            return new Step(kind, info, latin1.getBytes(StandardCharsets.ISO_8859_1), a);
        }

        /** The value of attribute {@code name}, or null. */
        public String attr(String name) {
            if (attrs == null) return null;
            for (String[] nv : attrs) if (nv[0].equals(name)) return nv[1];
            return null;
        }

        /** Attributes as {@code name\0value\0...\0}, for readable assertion messages. */
        public String escaped() {
            StringBuilder sb = new StringBuilder();
            for (byte b : bytes) {
                int c = b & 0xff;
                if (c == 0) sb.append("\\0");
                else if (c < 0x20 || c >= 0x7f) sb.append(String.format("\\x%02x", c));
                else sb.append((char) c);
            }
            return sb.toString();
        }
    }

    /**
     * @param serverDialect the dialect of the server that answered (the set's own, except in
     *                      the cross-dialect captures 32 and 33)
     */
    public record Scenario(Dialect dialect, String id, String title, String command, Integer exit,
                           String stdout, String stderr, List<Step> steps, Dialect serverDialect) {
        /** The scenario number, e.g. 21 for {@code 21-pipelined}. */
        public int number() { return Integer.parseInt(id.substring(0, 2)); }

        public Scenario withDir(String dir) { return replace(CAPTURE_DIR, dir); }

        /** Replaces text in every message (bytes and attributes) and in stdout/stderr. */
        public Scenario replace(String from, String to) {
            List<Step> s = new ArrayList<>();
            for (Step st : steps) s.add(st.replace(from, to));
            return new Scenario(dialect, id, title, command, exit,
                    stdout == null ? null : stdout.replace(from, to),
                    stderr == null ? null : stderr.replace(from, to), s, serverDialect);
        }

        public List<Step> messages() { return steps.stream().filter(Step::isMessage).toList(); }

        @Override
        public String toString() { return dialect + "/" + id; }
    }

    public static List<Scenario> load(Dialect d) {
        String json;
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + d.resource)) {
            if (in == null) throw new IllegalStateException("missing test resource golden/" + d.resource);
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(json);
        List<Scenario> out = new ArrayList<>();
        for (Object o : (List<?>) root.get("scenarios")) {
            Map<?, ?> s = (Map<?, ?>) o;
            List<Step> steps = new ArrayList<>();
            for (Object x : (List<?>) s.get("exchange")) {
                Map<?, ?> e = (Map<?, ?>) x;
                if (e.containsKey("event")) {
                    steps.add(new Step((String) e.get("event"), (String) e.get("info"), null, null));
                    continue;
                }
                List<String[]> attrs = null;
                if (e.get("attrs") instanceof List<?> l) {
                    attrs = new ArrayList<>();
                    for (Object p : l) {
                        List<?> nv = (List<?>) p;
                        attrs.add(new String[] {(String) nv.get(0), (String) nv.get(1)});
                    }
                }
                steps.add(new Step((String) e.get("dir"), null, HexFormat.of().parseHex((String) e.get("hex")), attrs));
            }
            Object exit = s.get("exit");
            Object server = s.get("server_dialect");
            out.add(new Scenario(d, (String) s.get("id"), (String) s.get("title"), (String) s.get("command"),
                    exit == null ? null : ((Long) exit).intValue(), (String) s.get("stdout"), (String) s.get("stderr"),
                    List.copyOf(steps), server == null ? d : Dialect.valueOf((String) server)));
        }
        return out;
    }

    public static List<Scenario> all() {
        List<Scenario> out = new ArrayList<>();
        for (Dialect d : Dialect.values()) out.addAll(load(d));
        return out;
    }
}
