package org.proxymap.table.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proxymap.daemon.ConfigChecker;
import org.proxymap.jmx.CheckReport;
import org.proxymap.table.OpenContext;
import org.proxymap.table.SharedResources;
import org.proxymap.table.TableRegistry;
import org.proxymap.testing.SocketTableServer;
import org.proxymap.testing.Trees;

/** {@code proxymap check} and reload for socketmap, tcp and the composites. */
class CheckAndReloadTest {

    @Test
    void checkNamesTheMainCfLineTheTableAndTheFix() throws Exception {
        Path d = Files.createTempDirectory(Path.of("/tmp"), "pmchk").toRealPath();
        try (SocketTableServer smap = SocketTableServer.inet(null)) {
            smap.handler(smap.socketmap(q -> "NOTFOUND "));
            Files.writeString(d.resolve("main.cf"), String.join("\n",
                    "proxy_read_maps =",
                    "    proxy:socketmap:" + smap.service() + ":users",
                    "    proxy:socketmap:nocolon",
                    "    proxy:socketmap:inet:127.0.0.1:1:users",
                    "    proxy:tcp:127.0.0.1",
                    "    proxy:unionmap:{inline:{a=1}, proxy:socketmap:" + smap.service() + ":users}",
                    "    proxy:pipemap:{inline:{a=1}, nosuch:x}",
                    "    proxy:unionmap:{inline:{a=1}, proxy:socketmap:nocolon}",
                    "    proxy:randmap:{ }",
                    ""));
            CheckReport rep = ConfigChecker.check(d, new TableRegistry(n -> null));
            assertFalse(rep.ok());
            String main = d + "/main.cf, line 1: proxy:";
            List<String> p = rep.problems().stream().filter(s -> !s.startsWith(ConfigChecker.WARNING)).toList();
            assertTrue(p.get(0).startsWith(main + "socketmap:nocolon: socketmap requires server:socketmap argument"), p.get(0));
            assertTrue(p.get(0).endsWith("use socketmap:inet:host:port:name or socketmap:unix:/path:name"), p.get(0));
            assertTrue(p.get(1).startsWith(main + "socketmap:inet:127.0.0.1:1:users: socketmap:inet:127.0.0.1:1:users: cannot connect to inet:127.0.0.1:1: "), p.get(1));
            assertTrue(p.get(1).endsWith("; start the socketmap server or correct the address"), p.get(1));
            assertTrue(p.get(2).startsWith(main + "tcp:127.0.0.1: tcp:127.0.0.1: bad address"), p.get(2));
            assertEquals(main + "pipemap:{inline:{a=1}, nosuch:x}: pipemap:{inline:{a=1}, nosuch:x}: member nosuch:x: unsupported dictionary type", p.get(3));
            assertTrue(p.get(4).startsWith(main + "unionmap:{inline:{a=1}, proxy:socketmap:nocolon}: unionmap:{inline:{a=1}, "
                    + "proxy:socketmap:nocolon}: member proxy:socketmap:nocolon: socketmap requires server:socketmap argument"), p.get(4));
            assertEquals(main + "randmap:{ }: randmap:{ }: bad syntax: \"randmap:{ }\"; need \"randmap:{type:name...}\"", p.get(5));
            assertEquals(6, p.size(), rep.problems().toString());
        } finally {
            Trees.delete(d);
        }
    }

    @Test
    void aCompositeIsReopenedWhenAMemberFileChanges() throws Exception {
        Path d = Files.createTempDirectory(Path.of("/tmp"), "pmfp");
        try {
            Path member = d.resolve("t");
            Files.writeString(member, "a 1\n");
            OpenContext ctx = new OpenContext(false, 0, n -> null, new SharedResources());
            String name = "{inline:{x=y}, texthash:" + member + "}";
            String before = new UnionmapType().fingerprint(name, ctx);
            assertEquals(before, new UnionmapType().fingerprint(name, ctx));
            Files.writeString(member, "a 2\n");
            assertNotEquals(before, new UnionmapType().fingerprint(name, ctx));
            assertNotEquals("", new PipemapType().fingerprint(name, ctx));
        } finally {
            Trees.delete(d);
        }
    }
}
