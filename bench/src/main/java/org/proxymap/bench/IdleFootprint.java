package org.proxymap.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's memory as idle connections accumulate (scripts/bench --footprint-growth): opens
 * connections as Postfix clients keep them (connect, read the hello, {@code open} the table,
 * then nothing), step by step up to each count of {@code --connections}, keeping the earlier
 * ones; after each step waits {@code --settle} seconds and samples the server's RSS
 * ({@code VmRSS}), PSS ({@code /proc/PID/smaps_rollup}) and threads, and with {@code --jcmd}
 * its Java heap (committed and used, {@code GC.heap_info}). The first {@code open} loads the
 * table, so step 0 is the service without it.
 *
 * <pre>
 * footprint --socket PATH --table TYPE:NAME --pid PID [--connections 0,1,64,256,1000,5000]
 *           [--settle 12] [--keys N] [--label NAME] [--jcmd PATH] [--csv FILE]
 * </pre>
 *
 * <p>One blocking channel per connection and no thread of its own: this process needs the
 * file descriptors only. Exits 1 when a connection fails or an {@code open} does not answer 0.
 */
public final class IdleFootprint {
    static final String CSV_HEADER = "label,keys,connections,rss_mb,pss_mb,threads,heap_committed_mb,heap_used_mb";
    private static final Pattern GENERATION = Pattern.compile("(?m)^\\s*(?:DefNew|Tenured|def new|tenured|PSYoungGen|ParOldGen|garbage-first heap)"
            + "[^\\n]*?total (\\d+)K, used (\\d+)K");

    private Path socket;
    private String table;
    private long pid;
    private int[] steps = {0, 1, 64, 256, 1000, 5000};
    private double settle = 12;
    private long keys;
    private String label = "ours";
    private String jcmd;
    private Path csv;

    /** One sample of the server after a step. */
    record Sample(int connections, double rssMb, double pssMb, int threads, double heapCommittedMb, double heapUsedMb) {}

    public static void main(String[] args) throws Exception {
        IdleFootprint f = new IdleFootprint();
        try {
            f.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("footprint: " + e.getMessage());
            System.exit(2);
        }
        System.exit(f.run() ? 0 : 1);
    }

    void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value (see the class comment)");
            String v = args[++i];
            switch (a) {
                case "--socket" -> socket = Path.of(v);
                case "--table" -> table = v;
                case "--pid" -> pid = Long.parseLong(v);
                case "--connections" -> steps = Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                case "--settle" -> settle = Double.parseDouble(v);
                case "--keys" -> keys = Long.parseLong(v);
                case "--label" -> label = v;
                case "--jcmd" -> jcmd = v.isEmpty() ? null : v;
                case "--csv" -> csv = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a + " (see the class comment)");
            }
        }
        if (socket == null || table == null || pid <= 0) throw new IllegalArgumentException("--socket, --table and --pid are required");
        for (int k = 1; k < steps.length; k++) {
            if (steps[k] < steps[k - 1]) throw new IllegalArgumentException("--connections must not decrease: " + Arrays.toString(steps));
        }
    }

    boolean run() throws IOException, InterruptedException {
        List<SocketChannel> open = new ArrayList<>();
        ByteBuffer in = ByteBuffer.allocate(4096);
        ByteBuffer request = ByteBuffer.wrap(("request\0open\0table\0" + table + "\0flags\0" + 0 + "\0\0")
                .getBytes(StandardCharsets.ISO_8859_1));
        try {
            heap(); // attach once before the first sample: the Attach Listener thread then counts in every step
            for (int n : steps) {
                while (open.size() < n) {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    open.add(ch);
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    readList(ch, in); // the hello
                    request.rewind();
                    while (request.hasRemaining()) ch.write(request);
                    String status = readList(ch, in);
                    if (!"0".equals(status)) {
                        System.err.println("footprint: open " + table + " answered status " + status + " on connection " + open.size());
                        return false;
                    }
                }
                TimeUnit.MILLISECONDS.sleep((long) (settle * 1000));
                Sample s = sample(n);
                String row = String.format(Locale.ROOT, "%s,%d,%d,%.1f,%.1f,%d,%.1f,%.1f", label, keys, s.connections(), s.rssMb(),
                        s.pssMb(), s.threads(), s.heapCommittedMb(), s.heapUsedMb());
                System.out.println(row);
                if (csv != null) {
                    if (!Files.exists(csv)) Files.writeString(csv, CSV_HEADER + "\n");
                    Files.writeString(csv, row + "\n", StandardOpenOption.APPEND);
                }
            }
            return true;
        } catch (IOException e) {
            System.err.println("footprint: connection " + open.size() + ": " + e);
            return false;
        } finally {
            for (SocketChannel ch : open) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    /** Reads one attribute list; returns its {@code status} value (null when it has none). */
    static String readList(SocketChannel ch, ByteBuffer in) throws IOException {
        in.clear();
        while (true) {
            String[] status = {null};
            if (complete(in, status)) return status[0];
            if (!in.hasRemaining()) throw new IOException("reply longer than " + in.capacity() + " bytes");
            if (ch.read(in) < 0) throw new EOFException("server closed the connection");
        }
    }

    /** Whether the bytes read so far ({@code in}'s position) hold a whole list; sets {@code status[0]}. */
    static boolean complete(ByteBuffer in, String[] status) {
        byte[] b = in.array();
        int end = in.position(), start = 0;
        boolean isName = true;
        String name = null;
        for (int i = 0; i < end; i++) {
            if (b[i] != 0) continue;
            String s = new String(b, start, i - start, StandardCharsets.ISO_8859_1);
            if (isName) {
                if (s.isEmpty()) return true; // the list terminator
                name = s;
            } else if ("status".equals(name)) {
                status[0] = s;
            }
            isName = !isName;
            start = i + 1;
        }
        return false;
    }

    private Sample sample(int n) throws IOException, InterruptedException {
        Path proc = Path.of("/proc", Long.toString(pid));
        String st = Files.readString(proc.resolve("status"));
        long pssKb = ProcessSampler.pssKb(Files.readString(proc.resolve("smaps_rollup")));
        double[] heap = heap();
        return new Sample(n, statusKb(st, "VmRSS") / 1024.0, pssKb / 1024.0, (int) statusKb(st, "Threads"), heap[0], heap[1]);
    }

    /** A number from /proc/PID/status ({@code VmRSS:  1234 kB}, {@code Threads:  19}). */
    static long statusKb(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+)").matcher(status);
        if (!m.find()) throw new IllegalArgumentException("no " + field + " in /proc/PID/status");
        return Long.parseLong(m.group(1));
    }

    /** The Java heap, committed and used in MB, from jcmd GC.heap_info; NaN without --jcmd or when it fails. */
    private double[] heap() throws IOException, InterruptedException {
        double[] none = {Double.NaN, Double.NaN};
        if (jcmd == null) return none;
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) return none;
        return heapMb(text);
    }

    /** Sums the generations' {@code total NK, used MK} of a GC.heap_info text, in MB. */
    static double[] heapMb(String heapInfo) {
        Matcher m = GENERATION.matcher(heapInfo);
        long total = 0, used = 0;
        boolean any = false;
        while (m.find()) {
            total += Long.parseLong(m.group(1));
            used += Long.parseLong(m.group(2));
            any = true;
        }
        return any ? new double[] {total / 1024.0, used / 1024.0} : new double[] {Double.NaN, Double.NaN};
    }
}
