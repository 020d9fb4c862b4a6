package org.proxymap.table.composite;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * The member tables of a unionmap or pipemap: opened in order with the composite's context
 * (a {@code proxy:} member is opened here, as inside Postfix's proxymap). A member that cannot
 * be opened stays in the list as a stand-in that answers RETRY, as Postfix's dict_open() gives
 * a surrogate. Each member gets the key folded as its own instance flags ask, as a Postfix
 * member folds with the flags it was opened with.
 */
final class MemberTables implements AutoCloseable {
    private static final Logger log = LogManager.getLogger("proxymap");
    private final List<LookupTable> tables = new ArrayList<>();
    private final List<String> names;
    private final int foldFlags;

    private MemberTables(List<String> names, int foldFlags) {
        this.names = names;
        this.foldFlags = foldFlags;
    }

    /** Parses {@code name} and opens its members. */
    static MemberTables open(String type, String name, OpenContext context) throws TableOpenException {
        List<String> names = parse(type, name);
        if (context.writable()) throw TableOpenException.readOnly(type, name);
        MemberTables m = new MemberTables(names, context.instanceFlags());
        for (String member : names) {
            LookupTable t;
            try {
                t = context.openTable(member);
            } catch (TableOpenException | RuntimeException e) {
                String reason = e instanceof TableOpenException ? e.getMessage() : "open " + member + ": " + e;
                log.error("{}:{}: member {}: {}", type, name, member, reason);
                t = unavailable(member, reason);
            }
            m.tables.add(t);
        }
        return m;
    }

    static List<String> parse(String type, String name) throws TableOpenException {
        List<String> items = BraceList.items(name);
        if (items == null || items.isEmpty()) throw new TableOpenException(BraceList.syntaxError(type, name));
        for (String item : items) {
            if (item.indexOf(':') < 0) throw new TableOpenException(BraceList.syntaxError(type, name));
        }
        return items;
    }

    /** The definition problems of {@code name} and of each member, one line each. */
    static List<String> check(String type, String name, OpenContext context, boolean probe) {
        List<String> names;
        try {
            names = parse(type, name);
        } catch (TableOpenException e) {
            return List.of(type + ":" + name + ": " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        for (String member : names) {
            TableType t = context.typeOf(member);
            if (t == null) {
                problems.add(type + ":" + name + ": member " + member + ": unsupported dictionary type");
                continue;
            }
            String memberName = OpenContext.nameOf(member);
            for (String p : probe ? t.probe(memberName, context) : t.check(memberName, context)) {
                problems.add(type + ":" + name + ": member " + member + ": " + p);
            }
        }
        return problems;
    }

    /** What the members are made of: a reload re-opens the composite when one of them changed. */
    static String fingerprint(String type, String name, OpenContext context) {
        StringBuilder b = new StringBuilder();
        try {
            for (String member : parse(type, name)) {
                TableType t = context.typeOf(member);
                b.append(member).append('=').append(t == null ? "" : t.fingerprint(OpenContext.nameOf(member), context)).append(';');
            }
        } catch (TableOpenException e) {
            return "";
        }
        return b.toString();
    }

    private static LookupTable unavailable(String member, String reason) {
        return new LookupTable() {
            @Override public int implFlags() { return DictFlags.PATTERN; }

            @Override
            public String lookup(String key) throws TableException {
                throw TableException.retry(member + " is unavailable. " + reason);
            }
        };
    }

    List<LookupTable> tables() { return tables; }

    int size() { return tables.size(); }

    /** The first member's fixed/pattern bits: the composite reports them (Postfix's match_flags). */
    int matchFlags() {
        return tables.isEmpty() ? 0 : tables.get(0).implFlags() & (DictFlags.FIXED | DictFlags.PATTERN);
    }

    /** Looks {@code key} up in member {@code i}, folded as that member's open flags ask. */
    String lookup(int i, String key) throws TableException {
        LookupTable t = tables.get(i);
        return t.lookup(OpenFlags.lookupKey(t.implFlags(), foldFlags, key));
    }

    String name(int i) { return names.get(i); }

    @Override
    public void close() {
        tables.forEach(LookupTable::close);
    }
}
