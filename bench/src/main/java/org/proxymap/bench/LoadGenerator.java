package org.proxymap.bench;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load generator for any proxymap-compatible UNIX socket (ours, Postfix's,
 * the {@link NullServer}): C clients, each on its own platform thread with one persistent
 * connection, a hit/miss mix, a warm-up, then a fixed measured window.
 *
 * <pre>
 * loadgen --socket PATH --table TYPE:NAME [--concurrency 1,4,16,64] [--duration 10] [--warmup 2]
 *         [--nkeys 100000] [--hit-ratio 0.5] [--zipf 1.0] [--update]
 *         [--expect 'target%d@example.net' | --no-verify]
 *         [--prewarm 5] [--flags 524353] [--no-hello] [--no-open] [--virtual-clients]
 *         [--pids PID,...] [--db-pids PID,...] [--db-url JDBC --db-user U --db-password P]
 *         [--server NAME --table-label NAME --csv FILE]
 *         [--runs-csv FILE --round N --pool-max N]
 * </pre>
 *
 * <p>Per concurrency it prints lookups/s, p50/p99/p99.9 latency, hits, misses, wrong answers
 * and errors; with {@code --pids} the server's CPU per lookup (the whole process tree of
 * each pid, including reaped children), resident memory and the largest PSS sampled during
 * the measured window; with {@code --db-url} the largest number of database connections
 * others held, and for a MariaDB URL the SELECT statements it ran per lookup. {@code --zipf S}
 * draws key numbers with Zipf's law of exponent S instead of uniformly; {@code --update}
 * sends {@code update} requests (to a proxywrite socket; use {@code --flags 384}, DUP_REPLACE
 * | SYNC_UPDATE as postscreen and verify send them) of hit keys to the expected value, each
 * counted as a lookup. With {@code --csv} it appends one row per concurrency
 * ({@link #CSV_HEADER}). With {@code --db-pids} it measures the database
 * server's CPU per lookup too; {@code --runs-csv} appends rows with every figure and the
 * labels {@code --round} and {@code --pool-max} ({@link #RUNS_HEADER}), which
 * {@link BenchReport} reduces to results.csv. Exits 1 when a run had errors or wrong answers.
 */
public final class LoadGenerator {
    static final String CSV_HEADER = "server,table,concurrency,lookups_per_s,p50_us,p99_us,cpu_us_per_lookup,db_connections,rss_mb,"
            + "pss_mb,db_queries_per_lookup";
    static final String RUNS_HEADER = "round,server,table,concurrency,pool_max,lookups_per_s,p50_us,p99_us,p999_us,"
            + "cpu_us_per_lookup,db_cpu_us_per_lookup,client_cpu_us_per_lookup,db_connections,rss_mb,pss_mb,db_queries_per_lookup";
    private static final long PSS_SAMPLE_MILLIS = 500;

    /** One measured run. */
    record Result(int concurrency, double seconds, long lookups, long hits, long misses, long wrong, long errors,
                  long connectRetries, Histogram latency, double serverCpuSeconds, long rssBytes, int serverProcesses,
                  int dbConnections, double clientCpuSeconds, double dbCpuSeconds, double machineBusy, String lastError,
                  long pssBytes, long dbQueries) {
        double lookupsPerSecond() { return lookups / seconds; }
        /** NaN when the database's statements were not counted. */
        double dbQueriesPerLookup() { return dbQueries < 0 || lookups == 0 ? Double.NaN : dbQueries / (double) lookups; }
        double micros(double percentile) { return latency.getValueAtPercentile(percentile) / 1000.0; }
        double cpuMicrosPerLookup() { return perLookup(serverCpuSeconds); }
        double perLookup(double cpuSeconds) { return lookups == 0 ? 0 : cpuSeconds * 1e6 / lookups; }
    }

    private Path socket;
    private String table;
    private int[] concurrency = {1};
    private double duration = 10, warmup = 2, prewarm = 5;
    private int nkeys = 100_000;
    private double hitRatio = 0.5;
    private String expect = "target%d@example.net";
    private int flags = 524353;
    private boolean hello = true, open = true, virtualClients, update;
    private double zipf = Double.NaN;
    private final List<Long> pids = new ArrayList<>();
    private final List<Long> dbPids = new ArrayList<>();
    private Path runsCsv;
    private int round = 1, poolMax;
    private String dbUrl, dbUser = "", dbPassword = "";
    private String serverLabel = "server", tableLabel;
    private Path csv;

    public static void main(String[] args) throws Exception {
        LoadGenerator g = new LoadGenerator();
        try {
            g.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            System.exit(2);
        }
        System.exit(g.runAll() ? 0 : 1);
    }

    void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--no-hello" -> hello = false;
                case "--no-open" -> open = false;
                case "--no-verify" -> expect = null;
                case "--virtual-clients" -> virtualClients = true;
                case "--update" -> update = true;
                default -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value (see the class comment)");
                    String v = args[++i];
                    switch (a) {
                        case "--socket" -> socket = Path.of(v);
                        case "--table" -> table = v;
                        case "--concurrency" -> concurrency = Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                        case "--duration" -> duration = Double.parseDouble(v);
                        case "--warmup" -> warmup = Double.parseDouble(v);
                        case "--prewarm" -> prewarm = Double.parseDouble(v);
                        case "--nkeys" -> nkeys = Integer.parseInt(v);
                        case "--hit-ratio" -> hitRatio = Double.parseDouble(v);
                        case "--zipf" -> zipf = Double.parseDouble(v);
                        case "--expect" -> expect = v.isEmpty() ? null : v;
                        case "--flags" -> flags = Integer.parseInt(v);
                        case "--pids" -> Arrays.stream(v.split(",")).filter(s -> !s.isBlank()).forEach(s -> pids.add(Long.parseLong(s.trim())));
                        case "--db-pids" -> Arrays.stream(v.split(",")).filter(s -> !s.isBlank()).forEach(s -> dbPids.add(Long.parseLong(s.trim())));
                        case "--runs-csv" -> runsCsv = Path.of(v);
                        case "--round" -> round = Integer.parseInt(v);
                        case "--pool-max" -> poolMax = Integer.parseInt(v);
                        case "--db-url" -> dbUrl = v;
                        case "--db-user" -> dbUser = v;
                        case "--db-password" -> dbPassword = v;
                        case "--server" -> serverLabel = v;
                        case "--table-label" -> tableLabel = v;
                        case "--csv" -> csv = Path.of(v);
                        default -> throw new IllegalArgumentException("unknown option " + a + " (see the class comment)");
                    }
                }
            }
        }
        if (socket == null || table == null) throw new IllegalArgumentException("--socket PATH and --table TYPE:NAME are required");
        if (update && expect == null) throw new IllegalArgumentException("--update needs --expect (the value it writes), not --no-verify");
        if (tableLabel == null) tableLabel = table.substring(0, Math.max(0, table.indexOf(':')));
    }

    boolean runAll() throws Exception {
        boolean clean = true;
        DbConnectionSampler db = dbUrl == null ? null : new DbConnectionSampler(dbUrl, dbUser, dbPassword);
        try {
            if (prewarm > 0) {
                // once per server, unmeasured, at C=4: the JIT of a JVM server (and Postfix's table load)
                // must not land in the first measured row
                run(4, null, prewarm, 0);
            }
            for (int c : concurrency) {
                Result r = run(c, db, warmup, duration);
                System.out.println(describe(r));
                if (csv != null) append(csv, CSV_HEADER, csvRow(r));
                if (runsCsv != null) append(runsCsv, RUNS_HEADER, runsRow(r));
                clean &= r.errors() == 0 && r.wrong() == 0;
            }
        } finally {
            if (db != null) db.close();
        }
        return clean;
    }

    Result run(int c, DbConnectionSampler db) throws InterruptedException {
        return run(c, db, warmup, duration);
    }

    Result run(int c, DbConnectionSampler db, double warmup, double duration) throws InterruptedException {
        LoadClient.Plan plan = new LoadClient.Plan(UnixDomainSocketAddress.of(socket), table, hello, open, nkeys,
                hitRatio, expect, flags, keys(), update);
        LoadClient.Phase phase = new LoadClient.Phase();
        List<LoadClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        Thread.Builder builder = virtualClients ? Thread.ofVirtual().name("client-", 0) : Thread.ofPlatform().name("client-", 0);
        for (int i = 0; i < c; i++) {
            LoadClient lc = new LoadClient(plan, phase, 0x9E3779B97F4A7C15L * (i + 1));
            clients.add(lc);
            threads.add(builder.start(lc));
        }
        ProcessSampler server = new ProcessSampler(pids);
        ProcessSampler database = new ProcessSampler(dbPids);
        Thread.sleep((long) (warmup * 1000));
        ProcessSampler.Sample s0 = server.sample();
        ProcessSampler.Sample d0 = database.sample();
        long self0 = ProcessSampler.selfTicks();
        long[] m0 = ProcessSampler.machineTicks();
        if (db != null) db.reset();
        long q0 = db == null ? -1 : db.selects();
        long t0 = System.nanoTime();
        phase.value = LoadClient.Phase.MEASURE;
        long pss = samplePss(server, t0 + (long) (duration * 1e9));
        phase.value = LoadClient.Phase.STOP;
        long t1 = System.nanoTime();
        long q1 = db == null ? -1 : db.selects();
        ProcessSampler.Sample s1 = server.sample();
        ProcessSampler.Sample d1 = database.sample();
        long self1 = ProcessSampler.selfTicks();
        long[] m1 = ProcessSampler.machineTicks();
        int dbConnections = db == null ? 0 : db.max();
        for (Thread t : threads) t.join(10_000);
        Histogram all = new Histogram(60_000_000_000L, 3);
        long lookups = 0, hits = 0, misses = 0, wrong = 0, errors = 0, retries = 0;
        String lastError = null;
        for (LoadClient lc : clients) {
            all.add(lc.latency);
            lookups += lc.lookups;
            hits += lc.hits;
            misses += lc.misses;
            wrong += lc.wrong;
            errors += lc.errors;
            retries += lc.connectRetries;
            if (lc.lastError != null) lastError = lc.lastError;
        }
        double busy = m1[1] == m0[1] ? 0 : (double) (m1[0] - m0[0]) / (m1[1] - m0[1]);
        return new Result(c, (t1 - t0) / 1e9, lookups, hits, misses, wrong, errors, retries, all,
                (s1.ticks() - s0.ticks()) / (double) ProcessSampler.TICKS_PER_SECOND, s1.rssBytes(), s1.processes(),
                dbConnections, (self1 - self0) / (double) ProcessSampler.TICKS_PER_SECOND, d1.cpuSeconds() - d0.cpuSeconds(),
                busy, lastError, pss, q0 < 0 || q1 < 0 ? -1 : q1 - q0);
    }

    private ZipfKeys zipfKeys;

    /** Uniform key numbers (null) or the Zipf table, built once per generator. */
    private ZipfKeys keys() {
        if (Double.isNaN(zipf)) return null;
        if (zipfKeys == null) zipfKeys = new ZipfKeys(nkeys, zipf);
        return zipfKeys;
    }

    /** Sleeps until {@code deadline} (System.nanoTime), sampling the server's PSS; returns the largest sample. */
    private static long samplePss(ProcessSampler server, long deadline) throws InterruptedException {
        long max = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return max;
            Thread.sleep(Math.max(1, Math.min(left / 1_000_000, PSS_SAMPLE_MILLIS)));
            max = Math.max(max, server.pssBytes());
        }
    }

    String describe(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s %-10s C=%-3d %9.0f lookups/s  p50=%.0fus p99=%.0fus p99.9=%.0fus max=%.0fus"
                        + "  hits=%d misses=%d wrong=%d errors=%d connect_retries=%d",
                serverLabel, tableLabel, r.concurrency(), r.lookupsPerSecond(), r.micros(50), r.micros(99), r.micros(99.9),
                r.latency().getMaxValue() / 1000.0, r.hits(), r.misses(), r.wrong(), r.errors(), r.connectRetries()));
        sb.append(String.format(Locale.ROOT, "%n         server: cpu=%.2fs (%.1fus/lookup) rss=%.1fMB pss=%.1fMB procs=%d db_connections=%d"
                        + "  client cpu=%.2fs  machine busy=%.0f%% of %d cores",
                r.serverCpuSeconds(), r.cpuMicrosPerLookup(), r.rssBytes() / 1048576.0, r.pssBytes() / 1048576.0,
                r.serverProcesses(), r.dbConnections(),
                r.clientCpuSeconds(), r.machineBusy() * 100, Runtime.getRuntime().availableProcessors()));
        if (!dbPids.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%n         database: cpu=%.2fs (%.1fus/lookup)", r.dbCpuSeconds(), r.perLookup(r.dbCpuSeconds())));
        }
        if (r.dbQueries() >= 0) {
            sb.append(String.format(Locale.ROOT, "  queries=%d (%.3f/lookup)", r.dbQueries(), r.dbQueriesPerLookup()));
        }
        if (r.lastError() != null && (r.errors() > 0 || r.wrong() > 0)) sb.append("\n         last error: ").append(r.lastError());
        return sb.toString();
    }

    String csvRow(Result r) {
        return String.format(Locale.ROOT, "%s,%s,%d,%.0f,%.1f,%.1f,%.1f,%d,%.1f,%.1f,%s", serverLabel, tableLabel, r.concurrency(),
                r.lookupsPerSecond(), r.micros(50), r.micros(99), r.cpuMicrosPerLookup(), Math.max(0, r.dbConnections()),
                r.rssBytes() / 1048576.0, r.pssBytes() / 1048576.0, queries(r.dbQueriesPerLookup()));
    }

    String runsRow(Result r) {
        return String.format(Locale.ROOT, "%d,%s,%s,%d,%d,%.0f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%.1f,%.1f,%s", round, serverLabel,
                tableLabel, r.concurrency(), poolMax, r.lookupsPerSecond(), r.micros(50), r.micros(99), r.micros(99.9),
                r.cpuMicrosPerLookup(), r.perLookup(r.dbCpuSeconds()), r.perLookup(r.clientCpuSeconds()),
                Math.max(0, r.dbConnections()), r.rssBytes() / 1048576.0, r.pssBytes() / 1048576.0, queries(r.dbQueriesPerLookup()));
    }

    /** Queries per lookup for the CSVs: empty when not counted. */
    static String queries(double perLookup) {
        return Double.isNaN(perLookup) ? "" : String.format(Locale.ROOT, "%.4f", perLookup);
    }

    private static void append(Path file, String header, String row) throws IOException {
        if (!Files.exists(file)) Files.writeString(file, header + "\n");
        Files.writeString(file, row + "\n", StandardOpenOption.APPEND);
    }
}
