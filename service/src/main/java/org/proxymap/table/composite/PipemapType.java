package org.proxymap.table.composite;

import org.proxymap.table.TableException;

/**
 * {@code pipemap:{type:name, ...}} (dict_pipe.c): the key goes to the first member, each
 * value found becomes the key of the next, the last member's value is the answer; a member
 * that finds nothing, or fails, ends the lookup with that.
 */
public final class PipemapType extends MemberTablesType {
    public PipemapType() { super("pipemap"); }

    @Override
    String lookup(MemberTables members, String key) throws TableException {
        String q = key;
        for (int i = 0; i < members.size() && q != null; i++) q = members.lookup(i, q);
        return q;
    }
}
