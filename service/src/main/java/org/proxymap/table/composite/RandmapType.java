package org.proxymap.table.composite;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code randmap:{result, ...}} (dict_random.c): every lookup, whatever the key, answers one
 * of the results, chosen uniformly at random. A braced result keeps its braces, as Postfix
 * 3.7's argv_splitq() leaves them. A pattern table.
 */
public final class RandmapType implements TableType {
    static final String TYPE = "randmap";

    @Override
    public String name() { return TYPE; }

    @Override
    public int openFlagsMask() { return 0; }

    private static List<String> parse(String name) throws TableOpenException {
        List<String> results = BraceList.items(name);
        // Postfix 3.7 accepts "{ }" and then divides by zero in the first lookup: refused here
        if (results == null || results.isEmpty()) throw new TableOpenException(BraceList.syntaxError(TYPE, name));
        return results;
    }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) throw TableOpenException.readOnly(TYPE, name);
        List<String> results = List.copyOf(parse(name));
        return new LookupTable() {
            @Override
            public int implFlags() { return DictFlags.PATTERN; }

            @Override
            public String lookup(String key) { return results.get(ThreadLocalRandom.current().nextInt(results.size())); }
        };
    }

    @Override
    public List<String> check(String name, OpenContext context) {
        try {
            parse(name);
            return List.of();
        } catch (TableOpenException e) {
            return List.of(TYPE + ":" + name + ": " + e.getMessage());
        }
    }
}
