package org.proxymap.bench;

import org.proxymap.table.TableTypes;

/** {@code typeprobe NAME}: exit 0 when this build registers table type NAME (scripts/bench skips rows otherwise). */
public final class TypeProbe {
    public static void main(String[] args) {
        System.exit(args.length > 0 && TableTypes.installed().containsKey(args[0]) ? 0 : 1);
    }
}
