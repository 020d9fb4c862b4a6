package org.proxymap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proxymap.config.ServiceConfig;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableRegistry;
import org.proxymap.table.TableType;
import org.proxymap.testing.WireClient;

/**
 * The dispatcher alone, with fake tables: request layouts of dialects B and C, the order
 * of Postfix's checks (attributes, service, table name, allow-list), the reply attributes
 * of every failure, the flag rules and key folding.
 */
class DispatcherTest {
    /** A fake table: sorted entries, its type bits, and a log of the keys it was asked for. */
    static final class FakeTable implements LookupTable {
        final TreeMap<String, String> map = new TreeMap<>(Map.of("alice@example.com", "a", "bob", "b"));
        final int impl;
        final List<String> asked = new ArrayList<>();
        TableException failWith;
        RuntimeException crashWith;

        FakeTable(int impl) { this.impl = impl; }

        @Override public int implFlags() { return impl; }

        @Override
        public String lookup(String key) throws TableException {
            asked.add(key);
            if (failWith != null) throw failWith;
            if (crashWith != null) throw crashWith;
            return map.get(key);
        }

        @Override public void update(String key, String value) { map.put(key, value); }

        @Override public boolean delete(String key) { return map.remove(key) != null; }

        @Override
        public Iterator<Map.Entry<String, String>> entries() { return new TreeMap<>(map).entrySet().iterator(); }
    }

    private final Map<String, FakeTable> opened = new java.util.HashMap<>();
    private final AtomicInteger opens = new AtomicInteger();
    private Dispatcher dispatcher;
    private ServerCounters counters;
    private final Session read = new Session(false, "proxymap");
    private final Session write = new Session(true, "proxywrite");

    private TableType type(String name, int impl) {
        return new TableType() {
            @Override public String name() { return name; }

            /** like a rule file: only no_regsub changes how it opens */
            @Override public int openFlagsMask() { return DictFlags.NO_REGSUB; }

            @Override
            public LookupTable open(String n, OpenContext c) {
                opens.incrementAndGet();
                FakeTable t = new FakeTable(impl);
                opened.put(name + ":" + n + (c.writable() ? "/rw" : "") + "/" + c.instanceFlags(), t);
                return t;
            }
        };
    }

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(dir.resolve("main.cf"), """
                queue_directory = /tmp/nowhere
                proxy_read_maps = proxy:fixed:/t proxy:pattern:/p proxy:missing:/m $proxy_write_maps
                proxy_write_maps = proxy:fixed:/w
                """);
        ServiceConfig config = ServiceConfig.load(dir);
        TableRegistry registry = new TableRegistry(Map.of(
                "fixed", type("fixed", DictFlags.FIXED), "pattern", type("pattern", DictFlags.PATTERN)), config.parameters());
        counters = new ServerCounters();
        ServiceState state = new ServiceState(config, 1);
        dispatcher = new Dispatcher(registry, counters, () -> state);
    }

    /** The escaped reply, or null when the dispatcher wants the connection closed. */
    private String call(Session s, String... nameValues) {
        AttrWriter out = new AttrWriter();
        if (!dispatcher.handle(AttrList.of(nameValues), s, out)) return null;
        AttrList l = new AttrList();
        byte[] b = out.toByteArray();
        int i = 0;
        while (b[i] != 0) {
            int j = i;
            while (b[j] != 0) j++;
            int k = j + 1;
            while (b[k] != 0) k++;
            l.add(new String(b, i, j - i, java.nio.charset.StandardCharsets.ISO_8859_1),
                    new String(b, j + 1, k - j - 1, java.nio.charset.StandardCharsets.ISO_8859_1));
            i = k + 1;
        }
        assertEquals(b.length, i + 1, "one list, terminated");
        return WireClient.escaped(l).replace("\\0", "|");
    }

    @Test
    void dialectBLayouts() {
        assertEquals("status|0|flags|16||", call(read, "request", "open", "table", "fixed:/t", "flags", "0"));
        assertEquals("status|0|value|a||", call(read, "request", "lookup", "table", "fixed:/t", "flags", "524353", "key", "alice@example.com"));
        assertEquals("status|1|value|||", call(read, "request", "lookup", "table", "fixed:/t", "flags", "524353", "key", "nobody"));
        assertEquals("status|0||", call(write, "request", "update", "table", "fixed:/w", "flags", "65", "key", "k", "value", "v"));
        assertEquals("status|0||", call(write, "request", "delete", "table", "fixed:/w", "flags", "65", "key", "k"));
        assertEquals("status|1||", call(write, "request", "delete", "table", "fixed:/w", "flags", "65", "key", "k"));
        assertEquals("status|0|key|alice@example.com|value|a||", call(read, "request", "sequence", "table", "fixed:/t", "flags", "65", "function", "0"));
        assertEquals("status|0|key|bob|value|b||", call(read, "request", "sequence", "table", "fixed:/t", "flags", "65", "function", "1"));
        assertEquals("status|1|key||value|||", call(read, "request", "sequence", "table", "fixed:/t", "flags", "65", "function", "1"));
        assertEquals("status|1|key||value|||", call(read, "request", "sequence", "table", "fixed:/t", "flags", "65", "function", "1"));
    }

    @Test
    void dialectCLayoutsAndFlagRules() {
        assertEquals("status|0|flags|540753||", call(read, "request", "open", "table", "fixed:/t", "instance_flags", "540737"));
        assertEquals("status|0|flags|540769||", call(read, "request", "open", "table", "pattern:/p", "instance_flags", "540737"));
        assertEquals("status|0|flags|540753|value|a||",
                call(read, "request", "lookup", "table", "fixed:/t", "instance_flags", "540737", "flags", "540753", "key", "alice@example.com"));
        assertEquals("status|1|flags|65|value|||",
                call(read, "request", "lookup", "table", "fixed:/t", "instance_flags", "540737", "flags", "65", "key", "x"));
        // update adds sync_update|dup_replace, delete adds sync_update (3.11 transcripts 13-15)
        assertEquals("status|0|flags|541137||",
                call(write, "request", "update", "table", "fixed:/w", "instance_flags", "540737", "flags", "540753", "key", "k", "value", "v"));
        assertEquals("status|0|flags|541009||",
                call(write, "request", "delete", "table", "fixed:/w", "instance_flags", "540737", "flags", "540753", "key", "k"));
        assertEquals("status|1|flags|541009||",
                call(write, "request", "delete", "table", "fixed:/w", "instance_flags", "540737", "flags", "540753", "key", "k"));
        assertEquals("status|0|flags|540753|key|alice@example.com|value|a||",
                call(read, "request", "sequence", "table", "fixed:/t", "instance_flags", "540737", "flags", "540753", "function", "0"));
    }

    @Test
    void theOpenReplyOfDialectBIsThatOfAFreshInstance() {
        assertEquals("status|0|flags|32||", call(read, "request", "open", "table", "pattern:/p", "flags", "0"));
        assertEquals("status|0|flags|4112||", call(read, "request", "open", "table", "fixed:/t", "flags", "4096"));
        call(read, "request", "lookup", "table", "fixed:/t", "flags", "524353", "key", "x");
        assertEquals("status|0|flags|16||", call(read, "request", "open", "table", "fixed:/t", "flags", "0"),
                "no request bits left over from the lookup (Postfix: 524369)");
    }

    @Test
    void anUnknownRequestGetsExactlyStatusBad() {
        assertEquals("status|3||", call(read, "request", "frobnicate", "table", "fixed:/t", "flags", "0"));
        assertEquals("status|3||", call(read, "request", "frobnicate", "table", "fixed:/t", "instance_flags", "0"));
        assertEquals("status|3||", call(read, "request", ""));
        assertEquals("status|3||", call(read, "request", "close"), "there is no close request");
    }

    @Test
    void aListWhoseFirstAttributeIsNotRequestClosesTheConnection() {
        assertNull(call(read, "table", "fixed:/t", "request", "lookup", "flags", "0", "key", "x"));
        assertNull(call(read));
    }

    @Test
    void missingAttributesGetBadWithEveryReplyAttribute() {
        assertEquals("status|3|flags|0||", call(read, "request", "open", "table", "fixed:/t"));
        assertEquals("status|3|value|||", call(read, "request", "lookup", "table", "fixed:/t", "flags", "0"));
        assertEquals("status|3|value|||", call(read, "request", "lookup"));
        assertEquals("status|3||", call(write, "request", "update", "table", "fixed:/w", "flags", "0", "key", "k"));
        assertEquals("status|3||", call(write, "request", "delete", "table", "fixed:/w", "flags", "0"));
        assertEquals("status|3|key||value|||", call(read, "request", "sequence", "table", "fixed:/t", "flags", "0"));
        assertEquals("status|3|flags|0|value|||",
                call(read, "request", "lookup", "table", "fixed:/t", "instance_flags", "0", "flags", "0"));
        assertEquals("status|3|flags|0||",
                call(write, "request", "update", "table", "fixed:/w", "instance_flags", "0", "flags", "0", "key", "k"));
        assertEquals("status|3|flags|0|key||value|||",
                call(read, "request", "sequence", "table", "fixed:/t", "instance_flags", "0", "flags", "0"));
    }

    @Test
    void attributesOutOfOrderGetBad() {
        assertEquals("status|3|value|||", call(read, "request", "lookup", "table", "fixed:/t", "key", "x", "flags", "0"));
        assertEquals("status|3|flags|0|value|||",
                call(read, "request", "lookup", "table", "fixed:/t", "flags", "0", "instance_flags", "0", "key", "x"));
        assertEquals("status|3|value|||", call(read, "request", "lookup", "flags", "0", "table", "fixed:/t", "key", "x"));
    }

    @Test
    void anExtraAttributeAtTheEndIsTolerated() {
        assertEquals("status|0|value|a||",
                call(read, "request", "lookup", "table", "fixed:/t", "flags", "0", "key", "alice@example.com", "extra", "x"));
    }

    @Test
    void numbersAreDigitsOnlyWithinAnUnsignedInt() {
        for (String bad : new String[] {"notanumber", "", "12x", "-1", "+1", " 1", "4294967296", "99999999999"}) {
            assertEquals("status|3|value|||", call(read, "request", "lookup", "table", "fixed:/t", "flags", bad, "key", "x"), bad);
        }
        assertEquals("status|0|flags|65|value|a||",
                call(read, "request", "lookup", "table", "fixed:/t", "instance_flags", "0", "flags", "0000000000065", "key", "alice@example.com"),
                "leading zeros, as sscanf(\"%u\") reads them");
        assertEquals("status|0|flags|4294967295|value|a||",
                call(read, "request", "lookup", "table", "fixed:/t", "instance_flags", "0", "flags", "4294967295", "key", "alice@example.com"));
    }

    @Test
    void tableNamesWithoutAColonGetBadAndProxyPrefixesAreStripped() {
        assertEquals("status|3|value|||", call(read, "request", "lookup", "table", "nocolon", "flags", "0", "key", "x"));
        assertEquals("status|3|value|||", call(read, "request", "lookup", "table", "proxy:nocolon", "flags", "0", "key", "x"));
        assertEquals("status|0|value|a||",
                call(read, "request", "lookup", "table", "proxy:proxy:fixed:/t", "flags", "0", "key", "alice@example.com"));
    }

    @Test
    void unapprovedTablesAreDeniedOnEveryRequest() {
        assertEquals("status|4|flags|0||", call(read, "request", "open", "table", "fixed:/other", "flags", "0"));
        assertEquals("status|4|value|||", call(read, "request", "lookup", "table", "fixed:/other", "flags", "0", "key", "x"));
        assertEquals("status|4|value|||", call(read, "request", "lookup", "table", "fixed://t", "flags", "0", "key", "x"));
        assertEquals("status|4|flags|0|value|||",
                call(read, "request", "lookup", "table", "fixed:/other", "instance_flags", "0", "flags", "0", "key", "x"));
        assertEquals("status|4|key||value|||", call(read, "request", "sequence", "table", "fixed:/other", "flags", "0", "function", "0"));
        // proxywrite approves proxy_write_maps only
        assertEquals("status|4|flags|0||", call(write, "request", "open", "table", "fixed:/t", "flags", "0"));
        assertEquals(0, opens.get(), "a denied request opens nothing");
        assertEquals(6, counters.denied.sum());
    }

    @Test
    void writesOnTheReadOnlyServiceAreDeniedAfterTheAttributesBeforeTheAllowList() {
        assertEquals("status|4||", call(read, "request", "update", "table", "fixed:/w", "flags", "65", "key", "k", "value", "v"));
        assertEquals("status|4||", call(read, "request", "delete", "table", "nocolon", "flags", "65", "key", "k"));
        assertEquals("status|4|flags|0||",
                call(read, "request", "delete", "table", "fixed:/w", "instance_flags", "0", "flags", "65", "key", "k"));
        assertEquals("status|3||", call(read, "request", "delete", "table", "fixed:/w", "flags", "x", "key", "k"));
        assertEquals(0, opens.get());
    }

    @Test
    void aBadSequenceFunctionIsBadBeforeTheTableIsChecked() {
        assertEquals("status|3|key||value|||", call(read, "request", "sequence", "table", "fixed:/t", "flags", "0", "function", "2"));
        assertEquals("status|3|key||value|||", call(read, "request", "sequence", "table", "fixed:/other", "flags", "0", "function", "7"));
        assertEquals("status|3|key||value|||", call(read, "request", "sequence", "table", "nocolon", "flags", "0", "function", "2"));
        assertEquals("status|3|flags|0|key||value|||",
                call(read, "request", "sequence", "table", "fixed:/t", "instance_flags", "1", "flags", "1", "function", "2"));
    }

    @Test
    void anEmptyKeyIsNotFoundWithoutAskingTheTable() {
        assertEquals("status|1|value|||", call(read, "request", "lookup", "table", "fixed:/t", "flags", "0", "key", ""));
        assertEquals(List.of(), opened.get("fixed:/t/0").asked);
    }

    @Test
    void keysAreFoldedOnlyWhenTheRequestAsksForItForThatKindOfTable() {
        int foldFix = DictFlags.FOLD_FIX;
        int foldMul = DictFlags.FOLD_MUL;
        call(read, "request", "lookup", "table", "fixed:/t", "flags", "" + foldFix, "key", "MiXed\u00c4");
        call(read, "request", "lookup", "table", "fixed:/t", "flags", "" + foldMul, "key", "MiXed");
        call(read, "request", "lookup", "table", "pattern:/p", "flags", "" + foldMul, "key", "MiXed");
        call(read, "request", "lookup", "table", "pattern:/p", "flags", "" + foldFix, "key", "MiXed");
        assertEquals(List.of("mixed\u00c4", "MiXed"), opened.get("fixed:/t/0").asked, "ASCII only, fold_fix for fixed tables");
        assertEquals(List.of("mixed", "MiXed"), opened.get("pattern:/p/0").asked, "fold_mul for pattern tables");
    }

    @Test
    void tableErrorsBecomeRetryOrConfigAndTheConnectionSurvives() {
        call(read, "request", "open", "table", "fixed:/t", "flags", "0");
        FakeTable t = opened.get("fixed:/t/0");
        t.failWith = TableException.retry("backend down");
        assertEquals("status|2|value|||", call(read, "request", "lookup", "table", "fixed:/t", "flags", "0", "key", "x"));
        t.failWith = TableException.config("bad utf-8");
        assertEquals("status|5|flags|64|value|||",
                call(read, "request", "lookup", "table", "fixed:/t", "instance_flags", "0", "flags", "64", "key", "x"));
        t.failWith = null;
        t.crashWith = new IllegalStateException("bug");
        assertEquals("status|2|value|||", call(read, "request", "lookup", "table", "fixed:/t", "flags", "0", "key", "x"));
    }

    @Test
    void anUnknownTypeIsASurrogateOpenOkLookupsRetry() {
        assertEquals("status|0|flags|32||", call(read, "request", "open", "table", "missing:/m", "flags", "0"));
        assertEquals("status|0|flags|540769||", call(read, "request", "open", "table", "missing:/m", "instance_flags", "540737"));
        assertEquals("status|2|value|||", call(read, "request", "lookup", "table", "missing:/m", "flags", "524353", "key", "x"));
        assertEquals("status|2|flags|540769|value|||",
                call(read, "request", "lookup", "table", "missing:/m", "instance_flags", "540737", "flags", "540769", "key", "x"));
    }

    @Test
    void oneInstancePerTableServiceAndOpenRelevantInstanceFlags() {
        call(read, "request", "open", "table", "fixed:/t", "flags", "0");
        call(read, "request", "lookup", "table", "fixed:/t", "flags", "524353", "key", "x"); // request bits: same instance
        assertEquals(1, opens.get());
        call(read, "request", "open", "table", "fixed:/t", "instance_flags", "540737");
        call(read, "request", "lookup", "table", "fixed:/t", "instance_flags", "540736", "flags", "540753", "key", "x");
        assertEquals(1, opens.get(), "smtpd's and postmap's instance flags open the table the same way: shared");
        call(read, "request", "open", "table", "fixed:/t", "instance_flags", String.valueOf(540736 | 0x800));
        assertEquals(2, opens.get(), "no_regsub opens rule tables differently: its own instance");
        call(write, "request", "open", "table", "fixed:/w", "flags", "0");
        call(read, "request", "open", "table", "fixed:/w", "flags", "0");
        assertEquals(4, opens.get(), "proxywrite and proxymap instances are separate, as Postfix's processes");
    }

    @Test
    void typedRequestsNeedNoBytesAndAreCountedByOpAndDialect() {
        Reply hit = dispatcher.handle(new Request.Lookup(Dialect.C, "proxy:fixed:/t", 0, DictFlags.DAEMON_LOOKUP, "BOB"), read);
        assertEquals(new Reply(Op.LOOKUP, Dialect.C, 0, DictFlags.DAEMON_LOOKUP, "", "b"), hit, "folded: fixed table, FOLD_FIX");
        Reply denied = dispatcher.handle(new Request.Delete(Dialect.AB, "fixed:/w", 0, 0, "bob"), read);
        assertEquals("DENY", denied.statusName());
        call(read, "request", "nonsense");
        assertEquals(1, counters.requests.get(Op.LOOKUP).sum());
        assertEquals(1, counters.requests.get(Op.DELETE).sum());
        assertEquals(1, counters.unknownRequests.sum());
        assertEquals(1, counters.dialectRequests.get(Dialect.C).sum());
        assertEquals(1, counters.dialectRequests.get(Dialect.AB).sum());
        assertEquals(1, counters.replies[org.proxymap.protocol.Status.DENY].sum());
        for (Op op : Op.values()) assertEquals(op, Op.forWireName(op.wireName()));
        assertNull(Op.forWireName("other"));
    }
}
