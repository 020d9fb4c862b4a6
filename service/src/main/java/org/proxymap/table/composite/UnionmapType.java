package org.proxymap.table.composite;

import org.proxymap.table.TableException;

/**
 * {@code unionmap:{type:name, ...}} (dict_union.c): every member is asked, the values found
 * are joined with commas in member order; nothing found is "not found"; the first member
 * that fails makes the whole lookup fail with its status.
 */
public final class UnionmapType extends MemberTablesType {
    public UnionmapType() { super("unionmap"); }

    @Override
    String lookup(MemberTables members, String key) throws TableException {
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
}
