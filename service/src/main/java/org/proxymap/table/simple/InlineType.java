package org.proxymap.table.simple;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.proxymap.config.Tokens;
import org.proxymap.table.Keys;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.OpenFlags;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code inline:{ key=value, { key = value with spaces } }} (Postfix 3.0+ dict_inline): keys
 * are lowercased only under {@code fold_fix} ({@link OpenFlags}), and of two equal keys the
 * last one wins (dict_inline.c stores every pair without a duplicate check).
 */
public final class InlineType implements TableType {
    @Override
    public String name() { return "inline"; }

    @Override
    public int openFlagsMask() { return org.proxymap.protocol.DictFlags.FOLD_FIX; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (!name.startsWith("{") || !name.endsWith("}")) {
            throw new TableOpenException("inline:" + name + ": syntax error after '...}' or missing '{'; use inline:{ key=value, ... }");
        }
        List<String> tokens = Tokens.split(name.substring(1, name.length() - 1));
        if (tokens.isEmpty()) throw new TableOpenException("inline:" + name + ": empty table");
        Map<String, String> map = new LinkedHashMap<>();
        for (String token : tokens) {
            String pair = token.startsWith("{") ? Tokens.unbrace(token) : token;
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new TableOpenException("inline:" + name + ": missing '=' after attribute name: \"" + pair + "\"");
            }
            String key = pair.substring(0, eq).strip();
            if (key.isEmpty()) throw new TableOpenException("inline:" + name + ": missing attribute name in: \"" + pair + "\"");
            map.put(context.flags().foldKeysAtLoad() ? Keys.asciiLower(key) : key, pair.substring(eq + 1).strip());
        }
        return new MapTable(map, false);
    }
}
