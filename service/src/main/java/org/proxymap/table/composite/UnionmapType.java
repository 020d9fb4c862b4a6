package org.proxymap.table.composite;

import java.util.List;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code unionmap:{type:name, ...}} (dict_union.c): every member is asked, the values found
 * are joined with commas in member order; nothing found is "not found"; the first member
 * that fails makes the whole lookup fail with its status.
 */
public final class UnionmapType implements TableType {
    static final String TYPE = "unionmap";

    @Override
    public String name() { return TYPE; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        MemberTables members = MemberTables.open(TYPE, name, context);
        return new LookupTable() {
            @Override
            public int implFlags() { return members.matchFlags(); }

            @Override
            public String lookup(String key) throws TableException {
                StringBuilder out = null;
                for (int i = 0; i < members.size(); i++) {
                    String v = members.lookup(i, key);
                    if (v == null) continue;
                    if (out == null) out = new StringBuilder(v);
                    else if (out.isEmpty()) out.append(v); // Postfix adds ',' only after a non-empty value
                    else out.append(',').append(v);
                }
                return out == null || out.isEmpty() ? null : out.toString();
            }

            @Override
            public void close() { members.close(); }
        };
    }

    @Override
    public List<String> check(String name, OpenContext context) { return MemberTables.check(TYPE, name, context, false); }

    @Override
    public List<String> probe(String name, OpenContext context) { return MemberTables.check(TYPE, name, context, true); }

    @Override
    public String fingerprint(String name, OpenContext context) { return MemberTables.fingerprint(TYPE, name, context); }
}
