package org.proxymap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/** Seconds, not a benchmark: the load generator's accounting against the null server and our server. */
class LoadGeneratorSmokeTest {
    private static LoadGenerator.Result run(String... args) throws Exception {
        LoadGenerator g = new LoadGenerator();
        g.parse(args);
        return g.run(4, null);
    }

    @Test
    void countsLookupsAgainstTheNullServer() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pmnull");
        Path sock = dir.resolve("s");
        try (NullServer s = new NullServer(sock, true, 50)) {
            LoadGenerator.Result r = run("--socket", sock.toString(), "--table", "texthash:x", "--no-verify",
                    "--duration", "0.5", "--warmup", "0.2", "--pids", String.valueOf(ProcessHandle.current().pid()));
            assertTrue(r.lookups() > 100, "lookups: " + r.lookups());
            assertEquals(0, r.errors(), r.lastError());
            assertEquals(r.lookups(), r.hits(), "the null server answers every lookup with status 0");
            assertTrue(r.latency().getTotalCount() == r.lookups());
            assertTrue(r.rssBytes() > 0 && r.serverProcesses() == 1);
        } finally {
            Files.deleteIfExists(sock);
            Files.delete(dir);
        }
    }

    @Test
    void verifiesHitsAndMissesAgainstOurServer() throws Exception {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:texthash:${config_directory}/big");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) sb.append("key").append(i).append("@example.com target").append(i).append("@example.net\n");
        sb.append("key7@example.org wrong\n");
        Files.writeString(dir.resolve("etc/big"), sb);
        try (TestServer s = TestServer.start(dir)) {
            String table = "texthash:" + s.etc.resolve("big");
            LoadGenerator.Result r = run("--socket", s.proxymap().toString(), "--table", table, "--nkeys", "100",
                    "--duration", "0.5", "--warmup", "0.2");
            assertTrue(r.hits() > 10 && r.misses() > 10, r.hits() + " hits, " + r.misses() + " misses");
            assertEquals(0, r.wrong());
            assertEquals(0, r.errors(), r.lastError());
            // a wrong expectation is counted, not hidden
            r = run("--socket", s.proxymap().toString(), "--table", table, "--nkeys", "100",
                    "--duration", "0.3", "--warmup", "0.1", "--expect", "other%d@example.net");
            assertEquals(r.hits(), r.wrong());
            // a table the server refuses: every lookup is an error (status 4)
            r = run("--socket", s.proxymap().toString(), "--table", "texthash:/etc/passwd", "--nkeys", "100",
                    "--duration", "0.3", "--warmup", "0.1");
            assertEquals(r.lookups(), r.errors());
        } finally {
            Trees.delete(dir);
        }
    }

    @Test
    void reportWritesMarkdownWithRatiosAndAChart() throws Exception {
        List<BenchReport.Row> rows = List.of(
                BenchReport.Row.parse("ours,texthash,1,30000,20.0,60.0,20.0,0,150"),
                BenchReport.Row.parse("postfix,texthash,1,10000,50.0,120.0,50.0,0,30"),
                BenchReport.Row.parse("null,texthash,1,40000,15.0,50.0,10.0,0,50"),
                BenchReport.Row.parse("postfix,mysql,16,6000,900.0,5000.0,100.0,3,40"),
                BenchReport.Row.parse("ours,mysql,16,9000,600.0,3000.0,60.0,8,160"));
        BenchReport r = new BenchReport(rows);
        String md = r.markdown();
        assertTrue(md.contains("| texthash | 1 | 3.00× | 0.50 | 0.75× | met |"), md);
        assertTrue(md.contains("| mysql | 16 | 1.50× | 0.60 | — | MISSED: < 2× Postfix |"), md);
        var img = r.chart("test");
        assertTrue(img.getWidth() > 500 && img.getHeight() > 400);
    }
}
