package org.proxymap.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tables a service may open, from {@code proxy_read_maps} or {@code proxy_write_maps}
 * after {@code $name} expansion, with Postfix's rules ({@code authorize_proxied_maps()}):
 * only tokens that start with {@code proxy:} approve anything, every leading {@code proxy:}
 * is removed, {@code { type:name option=value }} approves its first word, and the inner
 * lists of {@code pipemap:{...}} and {@code unionmap:{...}} are scanned instead of the
 * composite itself (Postfix 3.7). The check is an exact, case-sensitive string match on what
 * the client sends.
 */
public final class AllowList {
    private final Set<String> tables;

    private AllowList(Set<String> tables) { // kept in list order: check reports in file order
        this.tables = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(tables));
    }

    public static AllowList parse(String expandedList) {
        Set<String> out = new LinkedHashSet<>();
        scan(expandedList == null ? "" : expandedList, out);
        return new AllowList(out);
    }

    private static void scan(String list, Set<String> out) {
        for (String token : Tokens.split(list)) {
            if (token.startsWith("{")) {
                List<String> words = Tokens.split(Tokens.unbrace(token));
                if (words.isEmpty()) continue;
                token = words.get(0);
            }
            String nested = nestedList(token);
            if (nested != null) {
                // pipemap:{...} and unionmap:{...} approve their proxied members, not themselves;
                // proxy:pipemap:{...} approves the composite as one table, not its members
                if (nested.startsWith("{")) scan(Tokens.unbrace(nested), out);
                continue;
            }
            if (!token.startsWith("proxy:")) continue;
            String name = stripProxy(token);
            if (name.indexOf(':') >= 0) out.add(name);
        }
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
}
