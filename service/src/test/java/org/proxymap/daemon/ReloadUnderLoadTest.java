package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.proxymap.config.ServiceConfig;
import org.proxymap.jmx.ReloadResult;
import org.proxymap.protocol.AttrList;
import org.proxymap.server.ProxymapServer;
import org.proxymap.table.TableHandle;
import org.proxymap.table.TableRegistry;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/**
 * Clients hammer lookups on long-lived connections while 20 reloads happen, about half of them
 * with broken configurations (bad setting value, main.cf syntax error, a table definition
 * that does not check): every reply is right, every connection stays open, broken reloads
 * are refused and change nothing, unchanged tables keep their instance, changed ones are
 * re-opened and the old instance is closed.
 */
class ReloadUnderLoadTest {

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    @Timeout(120)
    void twentyReloadsUnderLoad() throws Exception {
        Path dir = TestServer.newConfig("");
        Path etc = dir.resolve("etc");
        String good = "proxy_read_maps = proxy:texthash:${config_directory}/t proxy:strict:${config_directory}/s"
                + " proxy:inline:{k1=v1}\nqueue_directory = " + dir.resolve("queue") + "\n";
        writeAtomically(etc.resolve("main.cf"), good);
        Files.writeString(etc.resolve("t"), "alice a@b\n");
        Files.writeString(etc.resolve("s"), "bob b@c\n");
        StrictTestType strict = new StrictTestType();
        ServiceConfig config = ServiceConfig.load(etc);
        ProxymapServer server = new ProxymapServer(config, new TableRegistry(strict.withBuiltins(), config.parameters()));
        server.bind();
        server.start();
        Reloader reloader = new Reloader(etc, server);
        Path socket = config.socketPath(false);
        String t = "texthash:" + etc.toRealPath().resolve("t");
        String s = "strict:" + etc.toRealPath().resolve("s");
        String inline = "inline:{k1=v1}";
        String[][] probes = {{t, "alice", "a@b"}, {s, "bob", "b@c"}, {inline, "k1", "v1"}};

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong replies = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 4; c++) {
                clients.add(Thread.ofPlatform().start(() -> {
                    try (WireClient w = WireClient.connect(socket)) {
                        for (long i = 0; !stop.get(); i++) {
                            String[] p = probes[(int) (i % probes.length)];
                            AttrList r = w.call("request", "lookup", "table", p[0], "flags", "524353", "key", p[1]);
                            if (r == null) {
                                failures.add("connection closed");
                                return;
                            }
                            if (!"status\\00\\0value\\0" .concat(p[2]).concat("\\0\\0").equals(WireClient.escaped(r))) {
                                failures.add(p[0] + " " + p[1] + ": " + WireClient.escaped(r));
                            }
                            replies.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                }));
            }
            while (replies.get() < 200) Thread.sleep(5);
            TableHandle inlineBefore = handle(server, inline);
            TableHandle strictBefore = handle(server, s);

            int refused = 0;
            for (int i = 0; i < 20; i++) {
                long gen = server.state().generation();
                String broken = switch (i % 4) {
                    case 0 -> {
                        writeAtomically(etc.resolve("proxymap.cf"), "proxymap_idle_timeout = 10x\n");
                        yield "proxymap.cf, line 1: proxymap_idle_timeout = 10x";
                    }
                    case 1 -> {
                        writeAtomically(etc.resolve("main.cf"), good + "no equals sign here\n");
                        yield "main.cf, line 3: missing '='";
                    }
                    default -> null;
                };
                if (i == 6) {
                    writeAtomically(etc.resolve("s"), "bob b@c\nthis line is broken\n");
                    broken = "s, line 2: expected \"key value\"";
                }
                if (i == 10) writeAtomically(etc.resolve("s"), "bob b@c\ncarol c@d\n"); // changed definition
                ReloadResult r = reloader.reload();
                if (broken != null) {
                    refused++;
                    assertFalse(r.ok(), "reload " + i + " should be refused");
                    assertTrue(r.message().contains(broken), r.message());
                    assertEquals(gen, server.state().generation());
                    assertEquals(gen, r.generation());
                    Files.deleteIfExists(etc.resolve("proxymap.cf"));
                    writeAtomically(etc.resolve("main.cf"), good);
                    if (i == 6) writeAtomically(etc.resolve("s"), "bob b@c\n");
                } else {
                    assertTrue(r.ok(), "reload " + i + ": " + r.message());
                    assertEquals(gen + 1, r.generation());
                }
                assertSame(r, reloader.last());
                Thread.sleep(20);
            }
            long before = replies.get();
            while (replies.get() < before + 200) Thread.sleep(5);
            stop.set(true);
            for (Thread c : clients) c.join(Duration.ofSeconds(10));

            assertEquals(List.of(), new ArrayList<>(failures));
            assertEquals(11, refused);
            assertSame(inlineBefore, handle(server, inline), "an unchanged table keeps its instance");
            TableHandle strictAfter = handle(server, s);
            assertNotSame(strictBefore, strictAfter, "a changed definition is re-opened");
            assertEquals(strict.opened.get() - 1, strict.closed.get(), "every replaced instance was closed");
            assertTrue(replies.get() > 400, "replies " + replies.get());
            System.out.printf("reload under load: %d replies, %d reloads (%d refused), 0 failures%n",
                    replies.get(), 20, refused);
        } finally {
            stop.set(true);
            server.stop(Duration.ofSeconds(2));
            server.close();
            server.registry().close();
        }
    }

    private static TableHandle handle(ProxymapServer server, String fullName) {
        return server.registry().handles().stream().filter(h -> h.fullName().equals(fullName)).findFirst().orElseThrow();
    }
}
