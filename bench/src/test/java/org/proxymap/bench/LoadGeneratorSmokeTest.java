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
    void reportTakesTheMedianRoundAndRatiosWithinRoundsAndDrawsAChart() throws Exception {
        List<BenchReport.Row> runs = List.of(
                // round 2 ran on a faster moment of the machine: both servers faster, the ratio alike
                BenchReport.Row.parseRun("1,ours,texthash,1,0,30000,20.0,60.0,70.0,20.0,0,10.0,0,150"),
                BenchReport.Row.parseRun("1,postfix,texthash,1,0,10000,50.0,120.0,130.0,50.0,0,10.0,0,30"),
                BenchReport.Row.parseRun("1,null,texthash,1,0,40000,15.0,50.0,60.0,10.0,0,10.0,0,50"),
                BenchReport.Row.parseRun("2,ours,texthash,1,0,60000,10.0,30.0,35.0,20.0,0,10.0,0,150"),
                BenchReport.Row.parseRun("2,postfix,texthash,1,0,25000,25.0,60.0,65.0,50.0,0,10.0,0,30"),
                BenchReport.Row.parseRun("2,null,texthash,1,0,80000,8.0,25.0,30.0,10.0,0,10.0,0,50"),
                BenchReport.Row.parseRun("3,ours,texthash,1,0,35000,20.0,60.0,70.0,20.0,0,10.0,0,150"),
                BenchReport.Row.parseRun("3,postfix,texthash,1,0,14000,50.0,120.0,130.0,50.0,0,10.0,0,30"),
                BenchReport.Row.parseRun("3,null,texthash,1,0,50000,15.0,50.0,60.0,10.0,0,10.0,0,50"),
                BenchReport.Row.parseRun("1,postfix,mysql,16,0,6000,900.0,5000.0,6000.0,100.0,150.0,50.0,3,40"),
                BenchReport.Row.parseRun("1,ours,mysql,16,16,9000,600.0,3000.0,4000.0,60.0,150.0,50.0,8,160"));
        List<BenchReport.Row> pool = List.of(
                BenchReport.Row.parseRun("1,ours,mysql-slow,64,1,190,5000.0,6000.0,7000.0,60.0,100.0,50.0,1,160"),
                BenchReport.Row.parseRun("1,ours,mysql-slow,64,16,3000,5000.0,6000.0,7000.0,60.0,100.0,50.0,16,160"),
                BenchReport.Row.parseRun("1,postfix,mysql-slow,64,0,1500,5000.0,6000.0,7000.0,60.0,100.0,50.0,6,60"));
        BenchReport r = new BenchReport(runs, pool, 2);
        assertEquals(35000, r.find("ours", "texthash", 1).lookupsPerSecond(), "the median round");
        String md = r.markdown();
        // per-round ratios 3.00, 2.40, 2.50: median 2.50; p99 0.50 each round; vs null 0.75, 0.75, 0.70
        assertTrue(md.contains("| texthash | 1 | 2.50× (2.40–3.00) | 0.50 (0.50–0.50) | — | 0.75× (0.70–0.75) | met |"), md);
        assertTrue(md.contains("| mysql | 16 | 1.50× | 0.60 | 1.00 | — | MISSED: < 2× Postfix, DB CPU > 0.8× Postfix |"), md);
        // ceiling: 2 cores / (150 + 50 µs) = 10,000 lookups/s
        assertTrue(md.contains("| 8 | 160 | — | — | 10,000 |"), md); // runs without PSS and query counts
        assertTrue(md.contains("| ours | 64 | 16 | 3,000 |") && md.contains("| postfix | 64 | — | 1,500 |"), md);
        var img = r.chart("test");
        assertTrue(img.getWidth() > 1400 && img.getHeight() > 400, "three panels: texthash, mysql, the pool sweep");
    }
}
