package org.proxymap.table.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * MySQL option files ({@code my.cnf}), as libmariadb reads them for {@code option_file} and
 * {@code option_group}: {@code [group]} sections, {@code name = value} or bare
 * {@code name} lines, {@code #} and {@code ;} comments, quoted values, {@code !include}
 * and {@code !includedir}. Names are normalised ({@code _} and {@code -} are the same).
 * Only the groups {@code client}, {@code client-server}, {@code client-mariadb} and
 * {@code option_group} are read; later values win.
 */
final class OptionFile {
    private OptionFile() {}

    /** libmariadb's default files, read when option_group is set and option_file is not. */
    static final List<Path> DEFAULT_FILES = List.of(Path.of("/etc/my.cnf"), Path.of("/etc/mysql/my.cnf"));

    static Map<String, String> read(String optionFile, String optionGroup) {
        Map<String, String> out = new HashMap<>();
        if (optionFile == null && (optionGroup == null || optionGroup.isEmpty())) return out;
        Set<String> groups = new HashSet<>(List.of("client", "client-server", "client-mariadb"));
        if (optionGroup != null && !optionGroup.isEmpty()) groups.add(optionGroup.toLowerCase(Locale.ROOT));
        List<Path> files = new ArrayList<>();
        if (optionFile != null) {
            files.add(Path.of(optionFile));
        } else {
            files.addAll(DEFAULT_FILES);
            String home = System.getProperty("user.home");
            if (home != null) files.add(Path.of(home, ".my.cnf"));
        }
        for (Path f : files) readFile(f, groups, out, 0);
        return out;
    }

    static void readFile(Path file, Set<String> groups, Map<String, String> out, int depth) {
        if (depth > 10 || !Files.isReadable(file)) return;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return;
        }
        boolean inGroup = false;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            if (line.startsWith("!includedir")) {
                Path dir = Path.of(line.substring("!includedir".length()).strip());
                List<Path> inc = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.cnf")) {
                    ds.forEach(inc::add);
                } catch (IOException e) {
                    continue;
                }
                inc.sort(null);
                for (Path p : inc) readFile(p, groups, out, depth + 1);
                continue;
            }
            if (line.startsWith("!include")) {
                readFile(Path.of(line.substring("!include".length()).strip()), groups, out, depth + 1);
                continue;
            }
            if (line.startsWith("[")) {
                int end = line.indexOf(']');
                String g = (end > 0 ? line.substring(1, end) : line.substring(1)).strip().toLowerCase(Locale.ROOT);
                inGroup = groups.contains(g);
                continue;
            }
            if (!inGroup) continue;
            int eq = line.indexOf('=');
            String name = (eq < 0 ? line : line.substring(0, eq)).strip().toLowerCase(Locale.ROOT).replace('_', '-');
            String value = eq < 0 ? "" : value(line.substring(eq + 1).strip());
            out.put(name, value);
        }
    }

    /** A value without its quotes and trailing comment. */
    private static String value(String v) {
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'')) {
            char q = v.charAt(0);
            int end = v.indexOf(q, 1);
            if (end > 0) return v.substring(1, end);
        }
        int hash = v.indexOf(" #");
        return (hash >= 0 ? v.substring(0, hash) : v).strip();
    }
}
