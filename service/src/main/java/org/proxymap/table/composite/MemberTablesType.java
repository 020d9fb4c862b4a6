package org.proxymap.table.composite;

import java.util.List;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * unionmap: and pipemap: ({@code type:{type:name, ...}}): the members are opened, checked and
 * fingerprinted together ({@link MemberTables}); only how a lookup combines them differs.
 */
abstract class MemberTablesType implements TableType {
    private final String type;

    MemberTablesType(String type) { this.type = type; }

    /** One lookup over the members, in order. */
    abstract String lookup(MemberTables members, String key) throws TableException;

    @Override
    public final String name() { return type; }

    @Override
    public final LookupTable open(String name, OpenContext context) throws TableOpenException {
        MemberTables members = MemberTables.open(type, name, context);
        return new LookupTable() {
            @Override
            public int implFlags() { return members.matchFlags(); }

            @Override
            public String lookup(String key) throws TableException { return MemberTablesType.this.lookup(members, key); }

            @Override
            public void close() { members.close(); }
        };
    }

    @Override
    public final List<String> check(String name, OpenContext context) { return MemberTables.check(type, name, context, false); }

    @Override
    public final List<String> probe(String name, OpenContext context) { return MemberTables.check(type, name, context, true); }

    @Override
    public final String fingerprint(String name, OpenContext context) { return MemberTables.fingerprint(type, name, context); }
}
