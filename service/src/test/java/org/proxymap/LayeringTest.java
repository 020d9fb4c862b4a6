package org.proxymap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of the service's packages, read from the sources (imports, fully qualified
 * names and javadoc links alike, so that a name written out in full cannot hide an arrow):
 * protocol ← server ← daemon, table ← server, management sees only what the daemon hands it,
 * and no cycle between the top-level packages ({@code table.*} counts as {@code table}).
 * A new top-level package needs a line in {@link #NEVER}.
 */
class LayeringTest {
    private static final Set<String> ALL = Set.of("protocol", "inet", "poll", "ffm", "systemd", "config", "table",
            "cache", "server", "management", "daemon", "jmx", "bench", "testing");

    /** package -> the packages it must never name. */
    static final Map<String, Set<String>> NEVER = Map.ofEntries(
            Map.entry("protocol", ALL), // the wire format alone
            Map.entry("inet", ALL),
            Map.entry("poll", ALL),
            Map.entry("ffm", ALL), // native calls (java.lang.foreign) for whoever needs them
            Map.entry("systemd", without(ALL, "ffm")), // sd_notify's libc calls go through ffm
            Map.entry("config", Set.of("protocol", "poll", "table", "cache", "server", "management", "daemon", "jmx", "bench", "testing")),
            Map.entry("table", Set.of("poll", "systemd", "cache", "server", "management", "daemon", "jmx", "bench", "testing")),
            // answers of tables, for the server's lookups: knows tables, never who asks
            Map.entry("cache", Set.of("poll", "systemd", "server", "management", "daemon", "jmx", "bench", "testing")),
            Map.entry("server", Set.of("systemd", "management", "daemon", "jmx", "bench", "testing")),
            Map.entry("management", Set.of("daemon", "bench", "testing")),
            Map.entry("daemon", Set.of("bench", "testing")));

    private static Set<String> without(Set<String> all, String allowed) {
        Set<String> s = new TreeSet<>(all);
        s.remove(allowed);
        return Set.copyOf(s);
    }

    private static final Pattern NAME = Pattern.compile("\\borg\\.proxymap\\.([a-z][a-z0-9_]*)\\b");

    /** top-level package -> (referenced top-level package -> first file:line naming it) */
    static Map<String, Map<String, String>> references(Path sources) throws IOException {
        Map<String, Map<String, String>> refs = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Path rel = sources.relativize(f);
                if (rel.getNameCount() < 4) continue; // org/proxymap/X.java: none in main
                String from = rel.getName(2).toString();
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = NAME.matcher(lines.get(i));
                    while (m.find()) {
                        String to = m.group(1);
                        if (to.equals(from)) continue;
                        refs.computeIfAbsent(from, k -> new TreeMap<>()).putIfAbsent(to, rel + ":" + (i + 1));
                    }
                }
            }
        }
        return refs;
    }

    static List<String> violations(Map<String, Map<String, String>> refs) {
        List<String> out = new ArrayList<>();
        refs.forEach((from, tos) -> {
            assertTrue(NEVER.containsKey(from), "package org.proxymap." + from + " has no layering rule in LayeringTest.NEVER");
            tos.forEach((to, where) -> {
                if (NEVER.get(from).contains(to)) out.add(where + ": " + from + " must not use org.proxymap." + to);
            });
        });
        return out;
    }

    /** Every cycle's first back edge, found by depth-first search. */
    static List<String> cycles(Map<String, Map<String, String>> refs) {
        List<String> out = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : refs.keySet()) dfs(start, refs, new ArrayList<>(), done, out);
        return out;
    }

    private static void dfs(String at, Map<String, Map<String, String>> refs, List<String> path, Set<String> done,
                            List<String> out) {
        if (path.contains(at)) {
            out.add(String.join(" -> ", path.subList(path.indexOf(at), path.size())) + " -> " + at);
            return;
        }
        if (!done.add(at)) return;
        path.add(at);
        for (String to : refs.getOrDefault(at, Map.of()).keySet()) dfs(to, refs, path, done, out);
        path.remove(path.size() - 1);
    }

    @Test
    void theServiceKeepsItsLayersAndHasNoPackageCycle() throws IOException {
        Map<String, Map<String, String>> refs = references(Path.of("src/main/java"));
        assertTrue(refs.containsKey("server") && refs.get("server").containsKey("table"), "read the sources: " + refs);
        assertEquals(List.of(), violations(refs));
        assertEquals(List.of(), cycles(refs));
    }

    @Test
    void aForbiddenNameIsFoundWithItsFileAndLine(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path mgmt = Files.createDirectories(dir.resolve("org/proxymap/management"));
        Files.writeString(mgmt.resolve("Bad.java"), "package org.proxymap.management;\n\nimport org.proxymap.daemon.Reloader;\n");
        Path daemon = Files.createDirectories(dir.resolve("org/proxymap/daemon"));
        Files.writeString(daemon.resolve("Main.java"), "package org.proxymap.daemon;\nclass Main { org.proxymap.management.Management m; }\n");
        Map<String, Map<String, String>> refs = references(dir);
        assertEquals(List.of("org/proxymap/management/Bad.java:3: management must not use org.proxymap.daemon"),
                violations(refs));
        assertEquals(List.of("daemon -> management -> daemon"), cycles(refs));
    }
}
