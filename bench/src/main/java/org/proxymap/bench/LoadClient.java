package org.proxymap.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * One simulated Postfix client: one persistent connection, hello, {@code open}, then
 * closed-loop {@code lookup}s of hits ({@code key<i>@example.com}) and misses
 * ({@code miss<i>@example.com}), i uniform or Zipf-distributed ({@link ZipfKeys}). Every
 * hit's value is checked against the expected one. In update mode (a proxywrite socket) every
 * request is an {@code update} of {@code key<i>@example.com} to the expected value, and every
 * reply must be status 0. Latency is recorded only while the shared phase is
 * {@link Phase#MEASURE}.
 */
final class LoadClient implements Runnable {
    /** Run phases, shared by all clients of one run. */
    static final class Phase {
        static final int WARMUP = 0, MEASURE = 1, STOP = 2;
        volatile int value = WARMUP;
    }

    /** What every client of a run does. */
    record Plan(UnixDomainSocketAddress address, String table, boolean hello, boolean open, int nkeys,
                double hitRatio, String expectFormat, int flags, ZipfKeys zipf, boolean update) {}

    private static final long MAX_LATENCY_NANOS = 60_000_000_000L;

    private final Plan plan;
    private final Phase phase;
    private final SplittableRandom random;
    final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
    long lookups, hits, misses, wrong, errors, connectRetries, reconnects;
    String lastError;

    private final ByteBuffer out = ByteBuffer.allocateDirect(4096);
    private final ByteBuffer in = ByteBuffer.allocateDirect(65536);
    private final byte[] prefix;
    private final byte[] hitKey = "key".getBytes(StandardCharsets.US_ASCII);
    private final byte[] missKey = "miss".getBytes(StandardCharsets.US_ASCII);
    private final byte[] keySuffix = "@example.com".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUE = "value\0".getBytes(StandardCharsets.US_ASCII);
    private final byte[] digits = new byte[12];
    private final byte[] expectPrefix, expectSuffix;
    // positions of the status and value strings in the last reply (start inclusive, end exclusive)
    private int statusStart, statusEnd, valueStart, valueEnd;
    private SocketChannel channel;

    LoadClient(Plan plan, Phase phase, long seed) {
        this.plan = plan;
        this.phase = phase;
        this.random = new SplittableRandom(seed);
        if (plan.update() && plan.expectFormat() == null) throw new IllegalArgumentException("update mode needs --expect (the value to write)");
        this.prefix = ("request\0" + (plan.update() ? "update" : "lookup") + "\0table\0" + plan.table() + "\0flags\0" + plan.flags() + "\0key\0")
                .getBytes(StandardCharsets.ISO_8859_1);
        String f = plan.expectFormat();
        int d = f == null ? -1 : f.indexOf("%d");
        if (f != null && d < 0) throw new IllegalArgumentException("--expect needs one %d (the key's number): " + f);
        this.expectPrefix = f == null ? null : f.substring(0, d).getBytes(StandardCharsets.ISO_8859_1);
        this.expectSuffix = f == null ? null : f.substring(d + 2).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void run() {
        while (phase.value != Phase.STOP) {
            try {
                connect();
                loop();
            } catch (IOException | RuntimeException e) {
                if (phase.value == Phase.STOP) break;
                if (phase.value == Phase.MEASURE) errors++;
                lastError = e.toString();
                reconnects++;
            } finally {
                closeQuietly();
            }
        }
    }

    private void loop() throws IOException {
        while (true) {
            int p = phase.value;
            if (p == Phase.STOP) return;
            boolean hit = plan.update() || random.nextDouble() < plan.hitRatio();
            int i = plan.zipf() == null ? random.nextInt(plan.nkeys()) : plan.zipf().next(random);
            out.clear();
            out.put(prefix).put(hit ? hitKey : missKey);
            putDecimal(i);
            out.put(keySuffix).put((byte) 0);
            if (plan.update()) {
                out.put(VALUE).put(expectPrefix);
                putDecimal(i);
                out.put(expectSuffix).put((byte) 0);
            }
            out.put((byte) 0).flip();
            long start = System.nanoTime();
            writeAll();
            readReply();
            long nanos = System.nanoTime() - start;
            if (p != Phase.MEASURE) continue;
            latency.recordValue(Math.min(nanos, MAX_LATENCY_NANOS));
            lookups++;
            check(hit, i);
        }
    }

    private void check(boolean hit, int i) {
        int status = statusEnd - statusStart == 1 ? in.get(statusStart) - '0' : -1;
        if (status != 0 && status != 1) {
            errors++;
            lastError = "status " + (status < 0 ? "?" : status) + " for a request";
            return;
        }
        if (status == 0) hits++;
        else misses++;
        if (plan.update()) {
            if (status != 0) {
                wrong++; // an update answers 0 or fails
                lastError = "update answered status " + status;
            }
            return;
        }
        if (expectPrefix == null) return; // no verification (the null server answers everything alike)
        if (hit != (status == 0) || (hit && !valueIs(i))) wrong++;
    }

    /** value == expectPrefix + i + expectSuffix, without building a string */
    private boolean valueIs(int i) {
        int n = 0;
        int v = i;
        do {
            digits[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        if (valueEnd - valueStart != expectPrefix.length + n + expectSuffix.length) return false;
        int at = valueStart;
        for (byte b : expectPrefix) if (in.get(at++) != b) return false;
        while (n > 0) if (in.get(at++) != digits[--n]) return false;
        for (byte b : expectSuffix) if (in.get(at++) != b) return false;
        return true;
    }

    private void putDecimal(int v) {
        int n = 0;
        do {
            digits[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (n > 0) out.put(digits[--n]);
    }

    private void connect() throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long backoffMicros = 100;
        while (true) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(plan.address());
                channel = ch;
                break;
            } catch (SocketException e) {
                ch.close();
                // a full listen backlog: EAGAIN from a virtual thread, ECONNREFUSED from a platform thread
                boolean busy = e instanceof ConnectException
                        || String.valueOf(e.getMessage()).contains("Resource temporarily unavailable");
                if (!busy || System.nanoTime() > deadline || phase.value == Phase.STOP) throw e;
                connectRetries++;
                try {
                    Thread.sleep(backoffMicros / 1000, (int) (backoffMicros % 1000) * 1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoffMicros = Math.min(backoffMicros * 2, 50_000);
            }
        }
        in.clear().flip();
        if (plan.hello()) readReply();
        if (plan.open()) {
            out.clear();
            out.put(("request\0open\0table\0" + plan.table() + "\0flags\0" + 0 + "\0\0").getBytes(StandardCharsets.ISO_8859_1));
            out.flip();
            writeAll();
            readReply();
        }
    }

    private void writeAll() throws IOException {
        while (out.hasRemaining()) channel.write(out);
    }

    /** Reads one whole reply list; leaves positions of its status and value strings. */
    private void readReply() throws IOException {
        if (!in.hasRemaining()) in.clear().flip(); // the previous reply stays readable until now
        while (true) {
            int end = parse();
            if (end >= 0) {
                in.position(end);
                return;
            }
            in.compact();
            if (!in.hasRemaining()) throw new IOException("reply longer than " + in.capacity() + " bytes");
            int n = channel.read(in);
            in.flip();
            if (n < 0) throw new EOFException("server closed the connection");
        }
    }

    /** @return the index after the list terminator, or -1 when the list is not complete yet */
    private int parse() {
        int pos = in.position(), lim = in.limit();
        statusStart = statusEnd = valueStart = valueEnd = 0;
        boolean isName = true;
        int nameStart = pos, nameEnd = pos, start = pos;
        for (int i = pos; i < lim; i++) {
            if (in.get(i) != 0) continue;
            if (isName) {
                if (i == start) return i + 1; // empty name: the list terminator
                nameStart = start;
                nameEnd = i;
            } else if (nameIs(nameStart, nameEnd, "status")) {
                statusStart = start;
                statusEnd = i;
            } else if (nameIs(nameStart, nameEnd, "value")) {
                valueStart = start;
                valueEnd = i;
            }
            isName = !isName;
            start = i + 1;
        }
        return -1;
    }

    private boolean nameIs(int from, int to, String name) {
        if (to - from != name.length()) return false;
        for (int k = 0; k < name.length(); k++) if (in.get(from + k) != name.charAt(k)) return false;
        return true;
    }

    private void closeQuietly() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
        channel = null;
    }
}
