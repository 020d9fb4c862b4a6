package org.proxymap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.proxymap.config.ServiceConfig;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrReader;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.server.Dispatcher;
import org.proxymap.server.ServerCounters;
import org.proxymap.server.ServiceState;
import org.proxymap.server.Session;
import org.proxymap.table.TableRegistry;

/**
 * The request path without the socket: decode a lookup, dispatch it (strict parse,
 * allow-list, registry, texthash lookup of 100k keys, counters) and encode the reply.
 * {@code dispatchOnly} starts from a decoded request. With {@code -prof gc} the
 * {@code gc.alloc.rate.norm} line is the allocation per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBenchmark {
    private Path dir;
    private TableRegistry registry;
    private Dispatcher dispatcher;
    private final Session session = new Session(false, "proxymap");
    private final AttrWriter reply = new AttrWriter();
    private final AttrList decoded = new AttrList();
    private AttrReader reader;
    private final AttrList hitRequest = new AttrList();

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "pmjmh");
        Path etc = Files.createDirectories(dir.resolve("etc"));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100_000; i++) sb.append("key").append(i).append("@example.com\ttarget").append(i).append("@example.net\n");
        Files.writeString(etc.resolve("big"), sb);
        Files.writeString(etc.resolve("main.cf"), "proxy_read_maps = proxy:texthash:" + etc.resolve("big")
                + "\nqueue_directory = " + dir.resolve("queue") + "\n");
        ServiceConfig config = ServiceConfig.load(etc);
        registry = new TableRegistry(config.parameters());
        ServiceState state = new ServiceState(config, 1);
        dispatcher = new Dispatcher(registry, new ServerCounters(), () -> state);
        String table = "texthash:" + etc.resolve("big");
        byte[] wire = ("request\0lookup\0table\0" + table + "\0flags\0" + "524353\0key\0key12345@example.com\0\0")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        reader = new AttrReader(new CodecBenchmark.ReplayChannel(wire), wire.length, 64, 65536, () -> { });
        hitRequest.add("request", "lookup");
        hitRequest.add("table", table);
        hitRequest.add("flags", "524353");
        hitRequest.add("key", "key12345@example.com");
        dispatcher.handle(hitRequest, session, reply); // opens the table outside the measurement
        if (!new String(reply.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("target12345")) {
            throw new IllegalStateException("the benchmark table does not answer: " + new String(reply.toByteArray()));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        registry.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public AttrWriter dispatchOnly() {
        dispatcher.handle(hitRequest, session, reply);
        return reply;
    }

    @Benchmark
    public AttrWriter decodeDispatchEncode() throws IOException {
        reader.read(decoded);
        dispatcher.handle(decoded, session, reply);
        return reply;
    }
}
