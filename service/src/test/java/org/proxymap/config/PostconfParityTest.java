package org.proxymap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.proxymap.daemon.Cli;
import org.proxymap.testing.Require;

/**
 * Our expanded value of every parameter the service uses, and of every parameter the default
 * proxy_read_maps / proxy_write_maps expand to, equals real {@code postconf -c DIR -x -h NAME}
 * (Debian's Postfix), on a deliberately tricky main.cf, Postfix's stock main.cf.dist, Debian's
 * main.cf and an empty one.
 */
class PostconfParityTest {
    private static final Path POSTCONF = Path.of("/usr/sbin/postconf");

    @Test
    void trickyMainCf() throws Exception {
        assertParity(fixture("tricky-main.cf"), 30);
    }

    @Test
    void stockMainCfDist() throws Exception {
        assertParity(fixture("stock-main.cf"), 0);
    }

    @Test
    void debianMainCf() throws Exception {
        assertParity(fixture("debian-main.cf"), 0);
    }

    @Test
    void emptyMainCfIsPostfixDefaults() throws Exception {
        assertParity("", 0);
    }

    /** The allow-list from the tricky file is what Postfix's proxymap would approve. */
    @Test
    void trickyAllowList() throws Exception {
        Path dir = directory(fixture("tricky-main.cf"));
        ServiceConfig c = ServiceConfig.load(dir);
        assertEquals(Set.of("texthash:" + dir + "/virtual", "regexp:" + dir + "/v.re", "cidr:/etc/postfix/c.cidr",
                // proxy:pipemap:{proxy:texthash:/a, ...} approves the composite, not /a and /b (Postfix 3.7
                // and 3.11 authorize_proxied_maps(); checked against the real proxymap in PostmapInteropTest)
                "texthash:/new", "mysql:/etc/postfix/login.cf", "texthash:/c",
                "texthash:/lvl", "texthash:/etc/aliases", "texthash:" + dir + "/access", "inline:{a=b}", "unix:passwd.byname",
                "pipemap:{proxy:texthash:/a, proxy:texthash:/b}"), c.readMaps.tables());
        assertEquals(Set.of("btree:/var/lib/postfix/sasl_cache", "lmdb:/var/lib/postfix/verify"), c.writeMaps.tables());
    }

    private void assertParity(String mainCf, int atLeastSet) throws Exception {
        Require.that(Files.isExecutable(POSTCONF), "Postfix's postconf (/usr/sbin/postconf, Debian package postfix)");
        Path dir = directory(mainCf);
        ServiceConfig ours = ServiceConfig.load(dir);
        List<String> names = parameters();
        Map<String, String> theirs = postconf(dir, names);
        List<String> differences = new ArrayList<>();
        int nonEmpty = 0;
        for (String n : names) {
            String mine = Cli.shown(ours.value(n));
            if (!mine.equals(theirs.get(n))) differences.add(n + ": ours [" + mine + "] postconf [" + theirs.get(n) + "]");
            if (!mine.isEmpty()) nonEmpty++;
        }
        assertEquals(List.of(), differences);
        System.out.printf("postconf parity: %d parameters equal (%d non-empty)%n", names.size(), nonEmpty);
        assertTrue(names.size() > 80, "parameters compared: " + names.size());
        assertTrue(nonEmpty >= atLeastSet, "non-empty values: " + nonEmpty);
    }

    /** The Postfix parameters the service uses, and the closure of $names in the default proxy_*_maps. */
    static List<String> parameters() throws IOException {
        Map<String, String> defaults = new LinkedHashMap<>();
        try (InputStream in = ServiceConfig.class.getResourceAsStream("postfix-defaults.cf")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).split("\n")) {
                int eq = line.indexOf(" = ");
                if (!line.startsWith("#") && eq > 0) defaults.put(line.substring(0, eq), line.substring(eq + 3));
            }
        }
        Set<String> out = new LinkedHashSet<>();
        for (String n : ServiceConfig.usedParameters()) if (Setting.byKey(n) == null) out.add(n);
        List<String> todo = new ArrayList<>(List.of("proxy_read_maps", "proxy_write_maps", "mynetworks_style", "inet_protocols"));
        Pattern ref = Pattern.compile("\\$\\{?\\(?([A-Za-z0-9_]+)");
        while (!todo.isEmpty()) {
            String n = todo.remove(todo.size() - 1);
            if (!out.add(n) && !n.startsWith("proxy_")) continue;
            Matcher m = ref.matcher(defaults.getOrDefault(n, ""));
            while (m.find()) if (!out.contains(m.group(1))) todo.add(m.group(1));
        }
        return new ArrayList<>(out);
    }

    private static Map<String, String> postconf(Path dir, List<String> names) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(POSTCONF.toString(), "-c", dir.toString(), "-x"));
        cmd.addAll(names);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(0, p.waitFor(), "postconf failed on " + dir);
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) continue;
            int eq = line.indexOf(" =");
            m.put(line.substring(0, eq), line.substring(eq + 2).strip());
        }
        return m;
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = PostconfParityTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static Path directory(String mainCf) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pmcf").toRealPath();
        Files.writeString(dir.resolve("main.cf"), mainCf, StandardCharsets.ISO_8859_1);
        Files.writeString(dir.resolve("master.cf"), ""); // postconf warns without one
        return dir;
    }
}
