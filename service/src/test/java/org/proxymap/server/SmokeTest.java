package org.proxymap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

class SmokeTest {
    @Test
    void texthashHitMissAndDenyInBothDialects() throws Exception {
        var dir = TestServer.newConfig("proxy_read_maps = proxy:texthash:${config_directory}/t");
        Files.writeString(dir.resolve("etc/t"), "Alice@Example.com  a@b\n");
        try (TestServer s = TestServer.start(dir); WireClient c = WireClient.connect(s.proxymap())) {
            String t = "texthash:" + s.etc.resolve("t");
            AttrList r = c.call("request", "open", "table", t, "flags", "0");
            assertEquals("status\\00\\0flags\\016\\0\\0", WireClient.escaped(r));
            // dialect B: opened without fold_fix, the file's key stays as written (real 3.7: NOKEY)
            r = c.call("request", "lookup", "table", t, "flags", "524353", "key", "alice@example.com");
            assertEquals("status\\01\\0value\\0\\0\\0", WireClient.escaped(r));
            r = c.call("request", "lookup", "table", t, "flags", "524353", "key", "Alice@Example.com");
            assertEquals("status\\00\\0value\\0a@b\\0\\0", WireClient.escaped(r));
            // dialect C: opened with fold_fix, keys folded at load and the query folded per request
            r = c.call("request", "lookup", "table", t, "instance_flags", "540737", "flags", "540753", "key", "ALICE@example.com");
            assertEquals("status\\00\\0flags\\0540753\\0value\\0a@b\\0\\0", WireClient.escaped(r));
            r = c.call("request", "lookup", "table", "texthash:/etc/passwd", "flags", "0", "key", "x");
            assertEquals("status\\04\\0value\\0\\0\\0", WireClient.escaped(r));
            r = c.call("request", "frobnicate");
            assertEquals("status\\03\\0\\0", WireClient.escaped(r));
        }
    }
}
