package org.proxymap.table.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.DictFlags;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;

class CompositeTypesTest {
    private final OpenContext context = new OpenContext(false, 0, n -> null, new SharedResources());

    @Test
    void unionJoinsWhatEveryMemberFindsInOrder() throws Exception {
        try (LookupTable t = new UnionmapType().open("{inline:{a=1, b=2}, proxy:inline:{a=3,c=},static:s}", context)) {
            assertEquals(DictFlags.FIXED, t.implFlags(), "the first member's kind");
            assertEquals("1,3,s", t.lookup("a"));
            assertEquals("2,s", t.lookup("b"));
            assertEquals("s", t.lookup("c"), "an empty value adds no comma");
        }
        try (LookupTable t = new UnionmapType().open("{inline:{a=1}, inline:{b=2}}", context)) {
            assertNull(t.lookup("z"));
        }
        try (LookupTable t = new UnionmapType().open("{inline:{a=}}", context)) {
            assertNull(t.lookup("a"), "only empty values: not found, as Postfix");
        }
    }

    @Test
    void aFailingMemberFailsTheLookup() throws Exception {
        try (LookupTable t = new UnionmapType().open("{inline:{a=1}, texthash:/nonexistent/x, nosuch:x}", context)) {
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("a")).status());
        }
        try (LookupTable t = new PipemapType().open("{inline:{a=b}, nosuch:x}", context)) {
            assertEquals(Status.RETRY, assertThrows(TableException.class, () -> t.lookup("a")).status());
            assertNull(t.lookup("zz"), "the failing member is never reached");
        }
    }

    @Test
    void pipeFeedsEachValueToTheNextMember() throws Exception {
        try (LookupTable t = new PipemapType().open("{inline:{a=b, x=y}, inline:{b=c}, static:{end of pipe}}", context)) {
            assertEquals("end of pipe", t.lookup("a"));
            assertNull(t.lookup("x"));
            assertNull(t.lookup("q"));
        }
        assertThrows(TableOpenException.class, () -> new PipemapType().open("{ }", context), "no members (Postfix 3.7: RETRY)");
    }

    @Test
    void membersFoldAsTheirOwnOpenFlagsAsk() throws Exception {
        OpenContext folding = new OpenContext(false, DictFlags.FOLD_FIX, n -> null, new SharedResources());
        try (LookupTable t = new PipemapType().open("{inline:{a=B}, inline:{b=found}}", folding)) {
            assertEquals("found", t.lookup("A"));
        }
        try (LookupTable t = new PipemapType().open("{inline:{a=B}, inline:{b=found}}", context)) {
            assertNull(t.lookup("A"), "dialect A/B: members open without fold_fix");
        }
    }

    @Test
    void randmapAnswersEachResultAboutEquallyOften() throws Exception {
        try (LookupTable t = new RandmapType().open("{one, two,three {four five}}", context)) {
            assertEquals(DictFlags.PATTERN, t.implFlags());
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 4000; i++) counts.merge(t.lookup("k" + i), 1, Integer::sum);
            assertEquals(java.util.Set.of("one", "two", "three", "{four five}"), counts.keySet());
            counts.values().forEach(n -> assertTrue(n > 800 && n < 1200, counts.toString()));
        }
    }

    @Test
    void badNamesAreRefusedWithPostfixsMessage() {
        for (String bad : new String[] {"", "x", "{}", "{a}", "{inline:{a=1}", "{inline:{a=1}} tail", "{a:b}x"}) {
            TableOpenException e = assertThrows(TableOpenException.class, () -> new UnionmapType().open(bad, context), bad);
            assertEquals("bad syntax: \"unionmap:" + bad + "\"; need \"unionmap:{type:name...}\"", e.getMessage());
        }
        assertThrows(TableOpenException.class, () -> new RandmapType().open("{ }", context));
        assertThrows(TableOpenException.class, () -> new PipemapType().open("{a}", context));
        assertEquals("unionmap:{a:b} map requires O_RDONLY access mode", assertThrows(TableOpenException.class,
                () -> new UnionmapType().open("{a:b}", new OpenContext(true, 0, n -> null, new SharedResources()))).getMessage());
    }

    @Test
    void checkReportsTheCompositeAndItsMembers() {
        assertEquals(List.of(), new UnionmapType().check("{inline:{a=1}, static:x}", context));
        assertEquals(List.of("unionmap:{x}: bad syntax: \"unionmap:{x}\"; need \"unionmap:{type:name...}\""),
                new UnionmapType().check("{x}", context));
        List<String> p = new PipemapType().check("{inline:{a=1}, nosuch:x, socketmap:nocolon}", context);
        assertEquals(2, p.size(), p.toString());
        assertEquals("pipemap:{inline:{a=1}, nosuch:x, socketmap:nocolon}: member nosuch:x: unsupported dictionary type", p.get(0));
        assertTrue(p.get(1).startsWith("pipemap:{inline:{a=1}, nosuch:x, socketmap:nocolon}: member socketmap:nocolon: "), p.get(1));
        assertEquals(List.of("randmap:{ }: bad syntax: \"randmap:{ }\"; need \"randmap:{type:name...}\""),
                new RandmapType().check("{ }", context));
    }
}
