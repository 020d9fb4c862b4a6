package org.proxymap.table.composite;

import java.util.List;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code pipemap:{type:name, ...}} (dict_pipe.c): the key goes to the first member, each
 * value found becomes the key of the next, the last member's value is the answer; a member
 * that finds nothing, or fails, ends the lookup with that.
 */
public final class PipemapType implements TableType {
    static final String TYPE = "pipemap";

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
                String q = key;
                for (int i = 0; i < members.size() && q != null; i++) q = members.lookup(i, q);
                return q;
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
