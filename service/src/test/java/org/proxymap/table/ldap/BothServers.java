package org.proxymap.table.ldap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.proxymap.it.PostfixReference;
import org.proxymap.it.Postmap;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * Postfix's own proxymap (with postfix-ldap) and ours, both with {@code proxy_read_maps}
 * naming the ldap: definitions written into a directory, and postmap run through both at once.
 */
final class BothServers implements AutoCloseable {
    final Path cfDir;
    final PostfixReference postfix;
    final TestServer ours;

    private BothServers(Path cfDir, PostfixReference postfix, TestServer ours) {
        this.cfDir = cfDir;
        this.postfix = postfix;
        this.ours = ours;
    }

    /** Writes {@code defs} (file name to body) into a fresh directory, readable by Postfix's proxymap (user postfix), and starts both. */
    static BothServers start(String prefix, Map<String, String> defs) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringBuilder maps = new StringBuilder("proxy_read_maps =");
        PostfixReference postfix = null;
        try {
            for (var e : defs.entrySet()) {
                Path f = dir.resolve(e.getKey());
                Files.writeString(f, e.getValue());
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
                maps.append("\n    proxy:ldap:").append(f);
            }
            postfix = PostfixReference.start(maps + "\n");
            return new BothServers(dir, postfix, TestServer.start(TestServer.newConfig("compatibility_level = 3.6\n" + maps)));
        } catch (Exception | Error e) {
            if (postfix != null) postfix.close();
            Trees.delete(dir);
            throw e;
        }
    }

    /** {@code postmap -q - proxy:ldap:DIR/CF} with {@code stdin} through Postfix's proxymap and ours: {theirs, ours}, normalised. */
    Postmap.Result[] query(String cf, String stdin) throws Exception {
        String table = "proxy:ldap:" + cfDir.resolve(cf);
        CompletableFuture<Postmap.Result> theirs = CompletableFuture.supplyAsync(() -> {
            try {
                return Postmap.run(postfix.etc, stdin, 30, "-q", "-", table).normalized(postfix.dir);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        Postmap.Result mine = Postmap.run(ours.etc, stdin, 30, "-q", "-", table).normalized(ours.dir);
        return new Postmap.Result[] {theirs.join(), mine};
    }

    @Override
    public void close() {
        ours.close();
        Trees.delete(ours.dir);
        postfix.close();
        Trees.delete(cfDir);
    }
}
