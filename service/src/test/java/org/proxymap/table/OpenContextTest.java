package org.proxymap.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OpenContextTest {
    private final OpenContext context = new OpenContext(false, 0, n -> null, new SharedResources());

    @Test
    void opensAMemberByItsFullNameDroppingProxyPrefixes() throws Exception {
        try (LookupTable t = context.openTable("proxy:proxy:inline:{a=1, b=2}")) {
            assertEquals("2", t.lookup("b"));
            assertNull(t.lookup("c"));
        }
        assertEquals("static", context.typeOf("proxy:static:x").name());
    }

    @Test
    void refusesUnknownTypesAndNamesWithoutAType() {
        assertEquals("unsupported dictionary type: nosuch",
                assertThrows(TableOpenException.class, () -> context.openTable("nosuch:x")).getMessage());
        assertThrows(TableOpenException.class, () -> context.openTable("proxy:nocolon"));
        assertNull(context.typeOf("nosuch:x"));
    }

    @Test
    void usesTheTypesItIsGiven() throws Exception {
        OpenContext none = new OpenContext(false, 0, n -> null, new SharedResources(), type -> null);
        assertThrows(TableOpenException.class, () -> none.openTable("static:x"));
    }
}
