package org.proxymap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pure pieces of the cached and footprint rows: the Zipf key stream, PSS parsing, their report tables. */
class KeysAndMemoryTest {
    @Test
    void zipfKeysFollowOneOverRank() {
        ZipfKeys z = new ZipfKeys(100_000, 1.0);
        double harmonic = 0;
        for (int k = 1; k <= 100_000; k++) harmonic += 1.0 / k;
        assertEquals(1 / harmonic, z.probability(0), 1e-12, "P(rank 1) = 1/H(n)");
        assertEquals(z.probability(0) / 10, z.probability(9), 1e-12, "rank 10 is a tenth as likely");
        int[] counts = new int[z.size()];
        SplittableRandom random = new SplittableRandom(42);
        int n = 1_000_000;
        for (int i = 0; i < n; i++) counts[z.next(random)]++; // out of range would throw
        // 1/H(100000) = 8.3% of draws are key 0; binomial sd is 0.03%, so 0.5% apart would be a bug
        assertEquals(z.probability(0), counts[0] / (double) n, 0.005);
        assertEquals(z.probability(1), counts[1] / (double) n, 0.005);
        int top100 = 0;
        for (int k = 0; k < 100; k++) top100 += counts[k];
        // H(100)/H(100000) = 5.19/12.09: the hundred hottest keys take 43% of the lookups
        assertEquals(0.429, top100 / (double) n, 0.01);
        assertTrue(counts[99_999] < 50, "the coldest key: expected ~0.8 draws, got " + counts[99_999]);
        // exponent 0 is uniform
        ZipfKeys u = new ZipfKeys(4, 0);
        for (int k = 0; k < 4; k++) assertEquals(0.25, u.probability(k), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new ZipfKeys(0, 1.0));
    }

    @Test
    void pssIsTheSmapsRollupPssLine() {
        String rollup = """
                55d0c0a00000-7ffd5a1f2000 ---p 00000000 00:00 0                          [rollup]
                Rss:              115280 kB
                Pss:               98765 kB
                Pss_Dirty:         90000 kB
                Pss_Anon:          88000 kB
                Pss_File:          10765 kB
                Shared_Clean:      20000 kB
                """;
        assertEquals(98765, ProcessSampler.pssKb(rollup));
        assertEquals(0, ProcessSampler.pssKb("Rss: 5 kB\n"));
        assertThrows(IllegalArgumentException.class, () -> ProcessSampler.pssKb("Pss: 5 MB\n"));
        // this JVM, read from /proc: at least its heap in use, less than its RSS plus rounding
        long self = ProcessHandle.current().pid();
        ProcessSampler s = new ProcessSampler(List.of(self));
        long pss = s.pssBytes();
        assertTrue(pss > 10L << 20 && pss <= s.sample().rssBytes() + (1 << 20), "pss " + pss + ", rss " + s.sample().rssBytes());
        assertEquals(0, new ProcessSampler(List.of()).pssBytes());
    }

    @Test
    void reportShowsCacheHitRatioAndFootprintAgainstTheTargets() {
        List<BenchReport.Row> runs = List.of(
                BenchReport.Row.parseRun("1,ours,texthash,16,0,60000,10.0,30.0,35.0,20.0,0,10.0,0,150,120.0,"),
                BenchReport.Row.parseRun("1,postfix,texthash,16,0,25000,25.0,60.0,65.0,50.0,0,10.0,0,30,100.0,"),
                BenchReport.Row.parseRun("1,ours,texthash,64,0,60000,10.0,30.0,35.0,20.0,0,10.0,0,150,130.0,"),
                BenchReport.Row.parseRun("1,postfix,texthash,64,0,25000,25.0,60.0,65.0,50.0,0,10.0,0,30,100.0,"),
                BenchReport.Row.parseRun("1,ours,mysql-cached,16,16,60000,100.0,300.0,350.0,20.0,5.0,10.0,4,150,160.0,0.0500"),
                BenchReport.Row.parseRun("1,postfix,mysql-cached,16,0,10000,900.0,5000.0,6000.0,80.0,90.0,10.0,3,40,45.0,1.0010"));
        BenchReport r = new BenchReport(runs, List.of(), 2);
        String md = r.markdown();
        assertTrue(md.contains("| mysql-cached | 16 | 6.00× | 0.06 | 0.06 | — | met |"), md);
        assertTrue(md.contains("| mysql-cached | 16 | 60,000 | 10,000 | 0.050 | 1.001 | 95.0% |"), md);
        assertTrue(md.contains("| texthash | 16 | 120 | 100 | — | 1.20× | met |"), md);
        assertTrue(md.contains("| texthash | 64 | 130 | 100 | — | 1.30× | MISSED: > 1.0× Postfix |"), md);
        assertTrue(md.contains("| mysql-cached | 16 | 160 | 45 | — | 3.56× | (shown) |"), md);
        // results.csv keeps both new columns, empty when a figure was not measured
        assertEquals("ours,mysql-cached,16,60000,100.0,300.0,20.0,4,150.0,160.0,0.0500", r.find("ours", "mysql-cached", 16).csv());
        assertEquals("postfix,texthash,16,25000,25.0,60.0,50.0,0,30.0,100.0,", r.find("postfix", "texthash", 16).csv());
        assertEquals(BenchReport.Row.parse(r.find("ours", "texthash", 16).csv()).pssMb(), 120.0);
    }
}
