package org.proxymap.table.simple;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.Status;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;

class UnixTypeTest {
    static final OpenContext READ = new OpenContext(false, 0, k -> null, null);

    @Test
    void passwdAndGroupInPostfixFormat() throws Exception {
        Path dir = Files.createTempDirectory("unix");
        Path passwd = dir.resolve("passwd");
        Path group = dir.resolve("group");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nalice:x:0042:100:Alice A,,,:/home/alice:/bin/sh\n"
                + "alice:x:9:9:dup:/:/bin/false\n+nisuser::::::\nbroken line\n");
        Files.writeString(group, "staff:x:50:alice,bob\nempty:*:51:\n");
        UnixType t = new UnixType(passwd, group);
        LookupTable pw = t.open("passwd.byname", READ);
        LookupTable gr = t.open("group.byname", READ);
        assertEquals("alice:x:42:100:Alice A,,,:/home/alice:/bin/sh", pw.lookup("alice"));
        assertNull(pw.lookup("ALICE"));
        assertNull(pw.lookup("+nisuser"));
        assertEquals("staff:x:50:alice,bob", gr.lookup("staff"));
        assertEquals("empty:*:51:", gr.lookup("empty"));
        assertEquals("unknown table: unix:shadow.byname",
                assertThrows(TableOpenException.class, () -> t.open("shadow.byname", READ)).getMessage());
        assertEquals("unix:passwd.byname map requires O_RDONLY access mode",
                assertThrows(TableOpenException.class, () -> t.open("passwd.byname", new OpenContext(true, 0, k -> null, null)))
                        .getMessage());
        Files.delete(passwd);
        Thread.sleep(1100); // re-checked at most once a second
        TableException e = assertThrows(TableException.class, () -> pw.lookup("alice"));
        assertEquals(Status.RETRY, e.status());
    }

    @Test
    void environSeesOnlyImportEnvironment() {
        var env = EnvironType.imported("TZ LANG=C MAIL_CONFIG", java.util.Map.of("TZ", "UTC", "HOME", "/root"));
        assertEquals(java.util.Map.of("TZ", "UTC", "LANG", "C"), env);
    }
}
