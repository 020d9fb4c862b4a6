package org.proxymap.bench;

import java.util.ServiceLoader;
import org.proxymap.table.TableType;

/** {@code typeprobe NAME}: exit 0 when this build registers table type NAME (scripts/bench skips rows otherwise). */
public final class TypeProbe {
    public static void main(String[] args) {
        for (TableType t : ServiceLoader.load(TableType.class)) {
            if (args.length > 0 && t.name().equals(args[0])) System.exit(0);
        }
        System.exit(1);
    }
}
