package org.proxymap.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.proxymap.protocol.Status;

/** mongodb: stays a surrogate (issue #16, item 6), and what it answers says why and what to do. */
class MongodbSurrogateTest {
    @Test
    void mongodbIsASurrogateThatSaysWhy() throws Exception {
        try (TableRegistry registry = new TableRegistry(n -> null)) {
            TableHandle h = registry.acquire("mongodb:/etc/postfix/mongo.cf", false, 0);
            try {
                assertTrue(h.isSurrogate());
                TableException e = assertThrows(TableException.class, () -> h.table().lookup("a@example.com"));
                assertEquals(Status.RETRY, e.status());
                assertTrue(e.getMessage().startsWith("mongodb:/etc/postfix/mongo.cf is unavailable. unsupported dictionary type: mongodb"
                        + " (mongodb: is not supported by this server: no MongoDB server can be run"), e.getMessage());
                assertTrue(e.getMessage().contains("serve the data through mysql:, pgsql: or ldap:"), e.getMessage());
            } finally {
                h.release();
            }
        }
    }
}
