package org.proxymap.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proxymap.config.ServiceConfig;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrReader;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.server.Dispatcher;
import org.proxymap.server.ServerCounters;
import org.proxymap.server.ServiceState;
import org.proxymap.server.Session;
import org.proxymap.table.TableRegistry;
import org.proxymap.testing.TestServer;

/**
 * Property test of the dispatcher on hostile attribute lists (any names, values, order and
 * count; both services): it never throws, and it either answers with a reply of the
 * protocol or asks for the connection to be closed.
 */
class DispatcherFuzzTest {
    @Test
    void anyListGetsOneProtocolReplyOrACloseNeverAnException() throws Exception {
        Path dir = TestServer.newConfig("""
                proxy_read_maps = proxy:texthash:${config_directory}/t proxy:static:x proxy:inline:{a=b} proxy:fail:f
                proxy_write_maps = proxy:texthash:${config_directory}/t proxy:static:x
                """);
        Files.writeString(dir.resolve("etc/t"), "a 1\nb 2\n");
        ServiceConfig config = ServiceConfig.load(dir.resolve("etc"));
        List<String> tables = new ArrayList<>(List.of("texthash:" + dir.resolve("etc/t"), "proxy:static:x", "static:x",
                "inline:{a=b}", "fail:f", "texthash:/etc/passwd", "nocolon", "", ":", "mysql:/x.cf", "hash:/etc/aliases"));
        ServerCounters counters = new ServerCounters();
        ServiceState state = new ServiceState(config, 1);
        try (TableRegistry registry = new TableRegistry(config.parameters())) {
            Dispatcher d = new Dispatcher(registry, counters, () -> state);
            long seed = Budget.seed();
            Budget budget = Budget.fuzz(20_000);
            long i = 0, replies = 0, closes = 0;
            AttrWriter out = new AttrWriter();
            for (; budget.more(i); i++) {
                HostileInput in = new HostileInput(seed + i, tables, config.maxAttributes, 200);
                AttrList req = asList(in.next());
                if (req == null) continue; // not even a list: the decoder's business (DecoderFuzzTest)
                Session session = new Session(in.nextInt(2) == 0, "fuzz");
                boolean answered;
                try {
                    answered = d.handle(req, session, out);
                } catch (Throwable t) {
                    fail("seed " + (seed + i) + " (-Dproxymap.fuzz.seed=" + (seed + i) + "): " + req + " threw " + t, t);
                    return;
                }
                if (answered) {
                    replies++;
                    AttrList reply = asList(out.toByteArray());
                    assertNull(Replies.problem(reply), "seed " + (seed + i) + ": request " + req);
                } else {
                    closes++;
                    assertTrue(req.size() == 0 || !req.name(0).equals("request"), "closed on a request: " + req);
                }
            }
            System.out.printf("dispatcher fuzz: seed %d, %d lists, %d replies, %d closes, %d malformed, %d table instances%n",
                    seed, i, replies, closes, counters.malformed.sum(), registry.handles().size());
            assertTrue(replies > 0 && closes > 0 && counters.malformed.sum() > 0);
        }
    }

    /** The first list in {@code bytes}, decoded without limits, or null if there is none. */
    static AttrList asList(byte[] bytes) {
        AttrList l = new AttrList();
        try {
            var r = new AttrReader(Channels.newChannel(new java.io.ByteArrayInputStream(bytes)), 4096, 10_000, 1 << 20, () -> { });
            return r.read(l) ? l : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Test
    void pristineRequestsGetTheirExactReplies() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:static:x");
        ServiceConfig config = ServiceConfig.load(dir.resolve("etc"));
        ServiceState state = new ServiceState(config, 1);
        try (TableRegistry registry = new TableRegistry(config.parameters())) {
            Dispatcher d = new Dispatcher(registry, new ServerCounters(), () -> state);
            AttrWriter out = new AttrWriter();
            assertTrue(d.handle(asList(HostileInput.encode(HostileInput.request("lookup", "static:x", false, "k"), true)),
                    new Session(false, "t"), out));
            assertEquals("status\u00000\u0000value\u0000x\u0000\u0000", new String(out.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        ByteBuffer.allocate(0);
    }
}
