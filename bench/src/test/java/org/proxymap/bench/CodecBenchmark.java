package org.proxymap.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrReader;
import org.proxymap.protocol.AttrWriter;

/**
 * The codec alone, per request: decoding a postmap-style lookup request from a channel and
 * encoding a hit reply. Run with {@code scripts/bench --jmh} (adds {@code -prof gc}, which
 * reports {@code gc.alloc.rate.norm}: bytes allocated per operation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    static final byte[] LOOKUP = ("request\0lookup\0table\0texthash:/etc/postfix/virtual\0flags\0" + "524353\0"
            + "key\0key12345@example.com\0\0").getBytes(StandardCharsets.ISO_8859_1);

    /** Replays the same request forever, as a client connection would deliver it. */
    static final class ReplayChannel implements ReadableByteChannel {
        private final byte[] bytes;
        private int at;

        ReplayChannel(byte[] bytes) { this.bytes = bytes; }

        @Override
        public int read(ByteBuffer dst) {
            int n = Math.min(dst.remaining(), bytes.length - at);
            dst.put(bytes, at, n);
            at = (at + n) % bytes.length;
            return n;
        }

        @Override public boolean isOpen() { return true; }
        @Override public void close() { }
    }

    private AttrReader reader;
    private final AttrList request = new AttrList();
    private final AttrWriter writer = new AttrWriter();
    private final ByteBuffer sink = ByteBuffer.allocate(4096);

    @Setup
    public void setup() {
        // one request per read, as a real client writes it (a bigger buffer would batch reads)
        reader = new AttrReader(new ReplayChannel(LOOKUP), LOOKUP.length, 64, 65536, () -> { });
    }

    @Benchmark
    public AttrList decodeLookup() throws IOException {
        reader.read(request);
        return request;
    }

    @Benchmark
    public ByteBuffer encodeHit() throws IOException {
        writer.reset();
        writer.num("status", 0).str("value", "target12345@example.net").end();
        sink.clear();
        writer.writeTo(new java.nio.channels.WritableByteChannel() {
            @Override public int write(ByteBuffer src) { int n = src.remaining(); sink.put(src); return n; }
            @Override public boolean isOpen() { return true; }
            @Override public void close() { }
        });
        return sink;
    }
}
