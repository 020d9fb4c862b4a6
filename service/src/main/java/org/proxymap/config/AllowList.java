package org.proxymap.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The tables a service may open, from {@code proxy_read_maps} or {@code proxy_write_maps}
 * after {@code $name} expansion, with the rules of the Postfix version in use
 * ({@code authorize_proxied_maps()} in proxymap.c):
 * <ul>
 * <li>every version: only tokens written with {@code proxy:} approve a table, every leading
 *   {@code proxy:} is removed, {@code { type:name option=value }} approves its first word,
 *   the members of {@code pipemap:{...}} and {@code unionmap:{...}} are scanned instead of the
 *   composite itself ({@code proxy:unionmap:{...}} approves the whole string), and an
 *   unbalanced {@code {} loses the rest of the list, with a warning;</li>
 * <li>up to 3.10: after {@code proxy:} the rest must contain a {@code :};</li>
 * <li>3.11+: a token must start with a letter or digit and contain a {@code :} before
 *   {@code proxy:} is removed (so {@code proxy:nocolon} approves {@code nocolon}); a token
 *   that starts with {@code /} is a file whose contents (Postfix logical lines, {@code #}
 *   comments) are scanned the same way, recursively; and, for proxymap (not proxywrite), the
 *   value of every class named in {@code smtpd_restriction_classes} is scanned too.</li>
 * </ul>
 * The check is an exact, case-sensitive string match on what the client sends.
 */
public final class AllowList {
    private final Set<String> tables;

    private AllowList(Set<String> tables) { // kept in list order: check reports in file order
        this.tables = Collections.unmodifiableSet(new LinkedHashSet<>(tables));
    }

    /**
     * How a version computes the list.
     *
     * @param version311 Postfix 3.11+ rules (files, restriction classes, token rule)
     * @param classes    the expanded value of a restriction class by name (null: undefined);
     *                   null when classes do not count (proxywrite, or before 3.11)
     * @param warn       where warnings go (a missing file, an unbalanced brace)
     */
    public record Rules(boolean version311, Function<String, String> classes, Consumer<String> warn) {
        /** Postfix 3.7's rules, warnings dropped. */
        public static final Rules V3_7 = new Rules(false, null, w -> { });
    }

    /** Postfix 3.7's rules (the allow-list of a definition another file names, or a test). */
    public static AllowList parse(String expandedList) {
        return parse(expandedList, Rules.V3_7);
    }

    public static AllowList parse(String expandedList, Rules rules) {
        Set<String> out = new LinkedHashSet<>();
        Scan scan = new Scan(rules, out);
        if (scan.list(expandedList == null ? "" : expandedList, "proxy_read_maps") && rules.version311 && rules.classes != null) {
            String names = rules.classes.apply("smtpd_restriction_classes");
            for (String cls : Tokens.split(names == null ? "" : names)) {
                String value = rules.classes.apply(cls);
                if (value != null && !scan.list(value, cls)) break;
            }
        }
        return new AllowList(out);
    }

    /** One computation: the approved names so far, the files being read (a loop reads each once). */
    private static final class Scan {
        final Rules rules;
        final Set<String> out;
        final Set<Path> reading = new HashSet<>();

        Scan(Rules rules, Set<String> out) {
            this.rules = rules;
            this.out = out;
        }

        /** @return false when an unbalanced brace ended the scan (Postfix drops the rest) */
        boolean list(String list, String origin) {
            for (String token : Tokens.split(list)) {
                if (!token(token, origin)) return false;
            }
            return true;
        }

        private boolean token(String token, String origin) {
            if (token.startsWith("{")) {
                if (!balanced(token)) return unbalanced(token, origin);
                if (!token.endsWith("}")) return true; // text after the '}': not a table
                List<String> words = Tokens.split(Tokens.unbrace(token));
                if (words.isEmpty()) return true;
                token = words.get(0);
            }
            String nested = nestedList(token);
            if (nested != null) {
                // pipemap:{...} and unionmap:{...} approve their proxied members, not themselves;
                // proxy:pipemap:{...} approves the composite as one table, not its members
                if (!nested.startsWith("{")) return true;
                if (!balanced(nested)) return unbalanced(token, origin);
                if (!nested.endsWith("}")) return true; // text after the '}': not a table
                return list(Tokens.unbrace(nested), origin);
            }
            if (rules.version311) {
                if (token.startsWith("/")) return file(Path.of(token));
                if (token.isEmpty() || !Character.isLetterOrDigit(token.charAt(0)) || token.indexOf(':') < 0) return true;
                if (token.startsWith("proxy:")) out.add(stripProxy(token));
                return true;
            }
            if (!token.startsWith("proxy:")) return true;
            String name = stripProxy(token);
            if (name.indexOf(':') >= 0) out.add(name);
            return true;
        }

        /** Every '{' closed: otherwise the list splitter ran to the end of the whole list. */
        private static boolean balanced(String text) {
            int depth = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '{') depth++;
                else if (c == '}' && depth > 0) depth--;
            }
            return depth == 0;
        }

        private boolean unbalanced(String token, String origin) {
            rules.warn.accept("bad syntax in " + origin + " content: missing '}' in \"" + token + "\"; "
                    + "the rest of the list approves nothing");
            return false;
        }

        /** A {@code /file/name}: its logical lines, scanned as list text (3.11+). */
        private boolean file(Path path) {
            if (!reading.add(path)) return true; // a loop: Postfix reads on until EMFILE, with the same result
            try {
                String content = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
                for (String line : logicalLines(content)) {
                    if (!list(line, path.toString())) return false;
                }
                return true;
            } catch (NoSuchFileException e) {
                rules.warn.accept("open " + path + ": No such file or directory");
                return true;
            } catch (IOException e) {
                rules.warn.accept("open " + path + ": " + e.getMessage());
                return true;
            } finally {
                reading.remove(path);
            }
        }
    }

    /** Postfix's logical lines: {@code #} comment lines and blank lines dropped, indented lines continue. */
    static List<String> logicalLines(String content) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : content.split("\n", -1)) {
            String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            String t = l.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            if (Character.isWhitespace(l.charAt(0)) && cur != null) {
                cur.append(' ').append(t);
            } else {
                if (cur != null) out.add(cur.toString());
                cur = new StringBuilder(t);
            }
        }
        if (cur != null) out.add(cur.toString());
        return out;
    }

    /** The text after {@code pipemap:} or {@code unionmap:}, or null (Postfix's get_nested_dict_name()). */
    private static String nestedList(String token) {
        for (String composite : new String[] {"unionmap:", "pipemap:"}) {
            if (token.startsWith(composite)) return token.substring(composite.length());
        }
        return null;
    }

    /** Removes every leading {@code proxy:}, as the server does with each request's table name. */
    public static String stripProxy(String name) {
        while (name.startsWith("proxy:")) name = name.substring(6);
        return name;
    }

    public boolean allows(String table) { return tables.contains(table); }

    /** The approved tables, in the order the list names them. */
    public Set<String> tables() { return tables; }

    /**
     * The approved tables as Postfix 3.11's {@code proxymap -S -V -n export-proxy-proxymap}
     * prints them: unique, sorted in byte order (names are ISO-8859-1 decoded bytes).
     */
    public List<String> exported() { return List.copyOf(new TreeSet<>(tables)); }
}
