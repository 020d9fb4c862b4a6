package org.proxymap.table.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.Keys;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;

/**
 * The {@code domain} parameter: Postfix's {@code string_list} (match_list.c with
 * match_string). Items are separated by commas or whitespace; {@code !} negates;
 * {@code /file/name} is replaced by the items in that file; {@code type:table} matches when
 * the domain is found in that table; anything else matches by exact, case-insensitive
 * string comparison. The first matching item decides.
 */
public final class DomainList implements AutoCloseable {
    private record Item(boolean match, String string, LookupTable table, String tableName, String error) {}

    private final List<Item> items = new ArrayList<>();
    private final List<LookupTable> opened = new ArrayList<>();

    public DomainList(String spec, String where, OpenContext context) throws TableOpenException {
        try {
            parse(spec, true, where, context);
        } catch (TableOpenException e) {
            close();
            throw e;
        }
    }

    private void parse(String spec, boolean initial, String where, OpenContext context) throws TableOpenException {
        for (String token : spec.split("[,\\s]+")) {
            if (token.isEmpty()) continue;
            if (token.startsWith("#")) break; // Postfix: comment at end of line is not supported
            boolean match = initial;
            int i = 0;
            while (i < token.length() && token.charAt(i) == '!') {
                match = !match;
                i++;
            }
            String item = token.substring(i);
            if (item.isEmpty()) throw new TableOpenException(where + ": domain: no pattern after '!'");
            if (item.startsWith("/")) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(Path.of(item), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    // Postfix: a pseudo table whose lookups fail, so the lookup answers RETRY
                    items.add(new Item(match, null, null, item, "open file " + item + ": " + e.getMessage()));
                    continue;
                }
                for (String line : lines) if (!line.startsWith("#")) parse(line, match, where, context);
            } else if (item.charAt(0) != '[' && item.indexOf(':') > 0) {
                items.add(new Item(match, null, openTable(item, where, context), item, null));
            } else {
                items.add(new Item(match, Keys.asciiLower(item), null, null, null));
            }
        }
    }

    /** A {@code type:table} item, opened as Postfix's match_list does (read-only; {@code proxy:} opened here). */
    private LookupTable openTable(String item, String where, OpenContext context) throws TableOpenException {
        try {
            LookupTable t = new OpenContext(false, DictFlags.LOCK | DictFlags.UTF8_REQUEST, context.parameters(),
                    context.resources(), context.types()).openTable(item);
            opened.add(t);
            return t;
        } catch (TableOpenException e) {
            throw new TableOpenException(where + ": domain: " + e.getMessage());
        }
    }

    /**
     * Postfix's {@code db_common_check_domain()}: with a {@code domain} list (not null) only
     * keys {@code user@domain} whose domain matches are looked up; a failing table in the
     * list is logged and answers the lookup.
     *
     * @return true when {@code key} may be queried
     */
    static boolean allows(DomainList domain, String key, String fullName) throws TableException {
        if (domain == null) return true;
        int at = key.lastIndexOf('@');
        if (at <= 0 || at == key.length() - 1) return false;
        try {
            return domain.matches(key.substring(at + 1));
        } catch (TableException e) {
            org.apache.logging.log4j.LogManager.getLogger("proxymap")
                    .warn("{} 'domain' pattern match failed for '{}': {}", fullName, key, e.getMessage());
            throw e;
        }
    }

    /**
     * @return true when {@code domain} matches
     * @throws TableException when a table in the list fails (the lookup then answers that)
     */
    public boolean matches(String domain) throws TableException {
        String folded = Keys.asciiLower(domain);
        for (Item it : items) {
            if (it.error != null) throw TableException.retry(it.error);
            if (it.table != null) {
                String v;
                try {
                    v = it.table.lookup(folded);
                } catch (TableException e) {
                    throw TableException.retry(it.tableName + ": table lookup problem: " + e.getMessage());
                }
                if (v != null) return it.match;
            } else if (it.string.equals(folded)) {
                return it.match;
            }
        }
        return false;
    }

    @Override
    public void close() {
        for (LookupTable t : opened) t.close();
        opened.clear();
    }
}
