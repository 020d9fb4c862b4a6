package org.proxymap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.MiniJson;
import org.proxymap.testing.Trees;

/**
 * The allow-lists that real Postfix 3.5.27, 3.7.11, 3.11.6 and a 3.12 snapshot computed for
 * eleven main.cf files (stock, a virtual-domain site, list syntax, {@code $name} forms,
 * {@code /file/name} contents, restriction classes, an explicit list, nested
 * unionmap/pipemap, an unbalanced brace, a file loop), from {@code vectors-3.11/allowlist}:
 * for 3.5/3.7 the tables their proxymap logged as allow-listed, in that order; for 3.11+ what
 * {@code proxymap -S -V -n export-proxy-proxymap} (and {@code -proxywrite}) printed. Ours,
 * with {@code proxymap_postfix_version} set to each version, must compute the same, for both
 * services, and print the same with the export command's order.
 */
class AllowListVectorsTest {
    private static final String CAPTURE = "/srv/pfvec";

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> vectors() throws IOException {
        try (InputStream in = AllowListVectorsTest.class.getResourceAsStream("/vectors/allowlist/allowlist.json")) {
            return (Map<String, Map<String, Object>>) MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyCaseEveryVersionBothServices() throws Exception {
        List<String> diffs = new ArrayList<>();
        int compared = 0;
        for (var c : vectors().entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Map<String, List<String>>> expected = (Map<String, Map<String, List<String>>>) c.getValue().get("expected");
            for (var v : expected.entrySet()) {
                Path dir = Files.createTempDirectory(Path.of("/tmp"), "alv");
                try {
                    ServiceConfig cfg = load(dir, (String) c.getValue().get("main_cf"), v.getKey());
                    for (boolean write : new boolean[] {false, true}) {
                        AllowList ours = write ? cfg.writeMaps : cfg.readMaps;
                        List<String> want = v.getValue().get(write ? "proxywrite" : "proxymap").stream()
                                .map(t -> t.replace(CAPTURE, dir.toString())).toList();
                        boolean sorted = PostfixVersion.parse(v.getKey()).allowList311();
                        List<String> have = sorted ? ours.exported() : List.copyOf(ours.tables());
                        if (sorted) want = List.copyOf(new TreeSet<>(want)); // the capture's paths sort like ours
                        compared++;
                        if (!want.equals(have)) {
                            diffs.add(c.getKey() + " " + v.getKey() + (write ? " proxywrite" : " proxymap")
                                    + "\n  Postfix: " + want + "\n  ours:    " + have);
                        }
                    }
                } finally {
                    Trees.delete(dir);
                }
            }
        }
        assertEquals(List.of(), diffs, String.join("\n", diffs));
        assertEquals(11 * 4 * 2, compared);
    }

    @Test
    void aFileLoopAndAMissingFileAreWarnedAboutAndTheRestStillCounts() throws Exception {
        Map<String, Object> c05 = vectors().get("c05-file-name");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "alv");
        try {
            ServiceConfig cfg = load(dir, (String) c05.get("main_cf"), "3.11");
            assertEquals(List.of("proxy_read_maps: open " + dir + "/files/missing-file: No such file or directory"),
                    cfg.warnings().stream().filter(w -> w.contains("missing-file")).toList());
        } finally {
            Trees.delete(dir);
        }
    }

    @Test
    void theVersionSettingIsCheckedAndAutoAsksTheInstalledPostfix() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "alv");
        try {
            Files.writeString(dir.resolve("main.cf"), "queue_directory = " + dir + "\n");
            Files.writeString(dir.resolve("proxymap.cf"), "proxymap_postfix_version = three\n");
            ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> ServiceConfig.load(dir));
            assertEquals(dir.resolve("proxymap.cf") + ", line 1: proxymap_postfix_version = three: not a Postfix version;"
                    + " write e.g. 3.7, 3.11.6 or auto", e.getMessage());
            Files.writeString(dir.resolve("proxymap.cf"), "proxymap_postfix_version = auto\n");
            PostfixVersion.Detection d = PostfixVersion.detect();
            assertEquals(d.version(), ServiceConfig.load(dir).postfixVersion);
            if (Files.isExecutable(Path.of("/usr/sbin/postconf"))) {
                Process p = new ProcessBuilder("/usr/sbin/postconf", "-d", "-h", "mail_version").start();
                assertEquals(new String(p.getInputStream().readAllBytes()).strip(), d.version().text());
            }
        } finally {
            Trees.delete(dir);
        }
    }

    @Test
    void theExportCommandPrintsWhatPostfix311Prints() throws Exception {
        // c03: names sorted in byte order, "" (from "proxy:") first, "nocolon" approved, one per line
        Map<String, Object> c03 = vectors().get("c03-list-syntax");
        @SuppressWarnings("unchecked")
        List<String> want = ((Map<String, Map<String, List<String>>>) c03.get("expected")).get("3.11.6").get("proxymap");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "alv");
        try {
            load(dir, (String) c03.get("main_cf"), "3.11.6");
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            int status = org.proxymap.daemon.Cli.run(new String[] {"-c", dir.toString(), "export-proxy-proxymap"},
                    new java.io.PrintStream(out, true, StandardCharsets.ISO_8859_1), new java.io.PrintStream(err, true));
            assertEquals(0, status, err.toString());
            String expected = String.join("\n", want.stream().map(t -> t.replace(CAPTURE, dir.toString())).toList()) + "\n";
            assertEquals(expected, out.toString(StandardCharsets.ISO_8859_1));
            assertEquals("", new String[] {out.toString(StandardCharsets.ISO_8859_1)}[0].split("\n", -1)[0]);
            out.reset();
            status = org.proxymap.daemon.Cli.run(new String[] {"-c", dir.toString(), "export-proxy-proxywrite"},
                    new java.io.PrintStream(out, true, StandardCharsets.ISO_8859_1), new java.io.PrintStream(err, true));
            assertEquals(0, status);
            assertEquals("", out.toString(StandardCharsets.ISO_8859_1));
        } finally {
            Trees.delete(dir);
        }
    }

    /** The case's main.cf and files under {@code dir} (its paths moved there), following {@code version}. */
    private static ServiceConfig load(Path dir, String mainCf, String version) throws Exception {
        Files.createDirectories(dir.resolve("files"));
        for (String f : List.of("class_file", "client_restrictions", "loop-a", "loop-b", "mynetworks", "nested", "relay_domains")) {
            try (InputStream in = AllowListVectorsTest.class.getResourceAsStream("/vectors/allowlist/files/" + f)) {
                Files.writeString(dir.resolve("files").resolve(f),
                        new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).replace(CAPTURE, dir.toString()),
                        StandardCharsets.ISO_8859_1);
            }
        }
        Files.writeString(dir.resolve("main.cf"), mainCf.replace(CAPTURE, dir.toString()), StandardCharsets.ISO_8859_1);
        Files.writeString(dir.resolve("proxymap.cf"), "proxymap_postfix_version = " + version + "\n");
        return ServiceConfig.load(dir);
    }
}
