package org.proxymap.table.pattern;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.proxymap.config.MacroParser;
import org.proxymap.inet.InetPton;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;
import org.proxymap.table.file.PostfixLines;

/**
 * {@code cidr:} (cidr_table(5), dict_cidr.c + cidr_match.c): IPv4/IPv6 networks matched in
 * file order, first match wins, with {@code !} negation and {@code IF}/{@code ENDIF}. A bad
 * line is skipped with "cidr map X, line N: reason: skipping this rule", as Postfix does.
 */
public final class CidrType implements TableType {

    /** One entry: op MATCH/IF/ENDIF; net and mask as bytes; endif = index of the block end. */
    static final class Entry implements RuleBlocks.Line {
        static final int MATCH = 1;
        static final int IF = 2;
        static final int ENDIF = 3;
        int op;
        byte[] net;
        byte[] mask;
        boolean match;
        String value;
        int line;
        int endif = -1;

        @Override
        public int line() { return line; }

        @Override
        public boolean opensBlock() { return op == IF; }

        @Override
        public boolean closesBlock() { return op == ENDIF; }

        @Override
        public void endif(int index) { endif = index; }
    }

    @Override
    public String name() { return "cidr"; }

    /** Nothing is read under the client's flags at open; folding is per request. */
    @Override
    public int openFlagsMask() { return 0; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        return RuleFileType.watched("cidr", name, context, () -> {
            String content = RuleFileType.readRules("cidr", name, context);
            return new CidrTable(parse(content, name, msg -> RuleFileType.log.warn(msg)));
        });
    }

    static List<Entry> parse(String content, String mapName, Consumer<String> warn) {
        IntFunction<String> where = line -> "cidr map " + mapName + ", line " + line;
        return RuleBlocks.parse(content, mapName, (line, depth) -> {
            try {
                Entry e = parseRule(line.text(), depth);
                e.line = line.number();
                return e;
            } catch (IllegalArgumentException why) {
                warn.accept(where.apply(line.number()) + ": " + why.getMessage() + ": skipping this rule");
                return null;
            }
        }, where, warn);
    }

    private static Entry parseRule(String p, int nesting) {
        boolean match = true;
        int i = 0;
        if (RuleBlocks.keyword(p, "IF")) {
            i = 2;
            for (; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c == '!') match = !match;
                else if (!PostfixLines.isSpace(c)) break;
            }
            if (i >= p.length()) throw new IllegalArgumentException("no address pattern");
            Entry e = parsePattern(RuleBlocks.trimEnd(p.substring(i)), match);
            e.op = Entry.IF;
            e.value = "";
            return e;
        }
        if (RuleBlocks.keyword(p, "ENDIF")) {
            if (!RuleBlocks.skipSpace(p.substring(5)).isEmpty()) {
                throw new IllegalArgumentException("garbage after ENDIF");
            }
            if (nesting == 0) throw new IllegalArgumentException("ENDIF without IF");
            Entry e = new Entry();
            e.op = Entry.ENDIF;
            e.value = "";
            return e;
        }
        for (; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '!') match = !match;
            else if (!PostfixLines.isSpace(c)) break;
        }
        int k = i;
        while (k < p.length() && !PostfixLines.isSpace(p.charAt(k))) k++;
        String pattern = p.substring(i, k);
        if (k < p.length()) k++;
        while (k < p.length() && PostfixLines.isSpace(p.charAt(k))) k++;
        String value = RuleBlocks.trimEnd(p.substring(k));
        if (pattern.isEmpty()) throw new IllegalArgumentException("no address pattern");
        Entry e = parsePattern(pattern, match);
        if (value.isEmpty()) throw new IllegalArgumentException("no lookup result");
        e.op = Entry.MATCH;
        e.value = value;
        return e;
    }

    /** cidr_match_parse(): [addr]/len, [addr/len], addr/len or addr. */
    static Entry parsePattern(String pattern, boolean match) {
        String maskSearch;
        if (pattern.startsWith("[")) {
            pattern = pattern.substring(1);
            int close = pattern.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("missing ']' character after \"[" + pattern + "\"");
            String after = pattern.substring(close + 1);
            pattern = pattern.substring(0, close);
            if (!after.startsWith("/")) {
                if (!after.isEmpty()) throw new IllegalArgumentException("garbage after \"[" + pattern + "]\"");
                int slash = pattern.indexOf('/'); // [addr/len]
                maskSearch = slash < 0 ? null : pattern.substring(slash + 1);
                if (slash >= 0) pattern = pattern.substring(0, slash);
            } else {
                maskSearch = after.substring(1);
            }
        } else {
            int slash = pattern.indexOf('/');
            maskSearch = slash < 0 ? null : pattern.substring(slash + 1);
            if (slash >= 0) pattern = pattern.substring(0, slash);
        }
        Entry e = new Entry();
        e.match = match;
        boolean v6 = pattern.indexOf(':') >= 0;
        int bits = v6 ? 128 : 32;
        if (maskSearch != null) {
            String mask = maskSearch;
            String error = null;
            int shift = -1;
            byte[] net = null;
            if (!MacroParser.allDigits(mask)) {
                error = "bad mask value";
            } else if ((shift = Replacement.atoi(mask)) > bits) {
                error = "bad mask length";
            } else if ((net = v6 ? InetPton.v6(pattern) : InetPton.v4(pattern)) == null) {
                error = "bad network value";
            }
            if (error != null) throw new IllegalArgumentException(error + " in \"" + pattern + "/" + mask + "\"");
            byte[] m = maskBytes(net.length, shift);
            for (int i = 0; i < net.length; i++) {
                if ((net[i] & ~m[i]) != 0) {
                    byte[] fixed = net.clone();
                    for (int j = 0; j < fixed.length; j++) fixed[j] &= m[j];
                    throw new IllegalArgumentException("non-null host address bits in \"" + pattern + "/" + mask
                            + "\", perhaps you should use \"" + InetPton.ntop(fixed) + "/" + shift + "\" instead");
                }
            }
            e.net = net;
            e.mask = m;
        } else {
            byte[] net = v6 ? InetPton.v6(pattern) : InetPton.v4(pattern);
            if (net == null) throw new IllegalArgumentException("bad address pattern: \"" + pattern + "\"");
            e.net = net;
            e.mask = maskBytes(net.length, bits);
        }
        return e;
    }

    private static byte[] maskBytes(int len, int shift) {
        byte[] m = new byte[len];
        for (int i = 0; i < len; i++) {
            int b = Math.max(0, Math.min(8, shift - 8 * i));
            m[i] = (byte) (0xff00 >> b);
        }
        return m;
    }

    /** cidr_match_execute(). */
    static final class CidrTable implements LookupTable {
        private final Entry[] entries;

        CidrTable(List<Entry> entries) { this.entries = entries.toArray(new Entry[0]); }

        @Override
        public int implFlags() { return DictFlags.PATTERN; }

        @Override
        public String lookup(String key) {
            byte[] addr = key.indexOf(':') >= 0 ? InetPton.v6(key) : InetPton.v4(key);
            if (addr == null) return null;
            for (int i = 0; i < entries.length; i++) {
                Entry e = entries[i];
                switch (e.op) {
                    case Entry.MATCH -> {
                        if (e.net.length == addr.length && matches(e, addr)) return e.value;
                    }
                    case Entry.IF -> {
                        if (e.net.length == addr.length && matches(e, addr)) continue;
                        if (e.endif < 0) return null;
                        i = e.endif;
                    }
                    default -> { }
                }
            }
            return null;
        }

        /** cidr_match_entry(): the entry's match flag when inside the network, else its negation. */
        private static boolean matches(Entry e, byte[] addr) {
            for (int i = 0; i < addr.length; i++) {
                if ((addr[i] & e.mask[i]) != e.net[i]) return !e.match;
            }
            return e.match;
        }
    }
}
