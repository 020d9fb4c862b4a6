package org.proxymap.table.composite;

import java.util.List;
import org.proxymap.config.Tokens;

/**
 * The {@code {a, b c}} name of unionmap, pipemap and randmap as their dict_*_open() read it:
 * the name must be one balanced {@code {...}} group (Postfix's balpar()) with something
 * inside, split like {@code argv_splitq(..., ", \t\r\n", "{}")}, where a braced item stays
 * one item, braces included.
 */
final class BraceList {
    private BraceList() {}

    /** @return the items, or null when the name is not one non-empty balanced {@code {...}} group */
    static List<String> items(String name) {
        if (!name.startsWith("{")) return null;
        int depth = 0;
        int end = -1;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) {
                end = i;
                break;
            }
        }
        if (end != name.length() - 1 || end < 2) return null;
        return Tokens.split(name.substring(1, end));
    }

    static String syntaxError(String type, String name) {
        return "bad syntax: \"" + type + ":" + name + "\"; need \"" + type + ":{type:name...}\"";
    }
}
