package org.proxymap.reliability;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.WireClient;

/**
 * Well-behaved clients that look keys up in a loop and check every answer against the
 * table ({@code k<i> -> v<i>}, and a key that is not there): the yardstick that shows
 * other clients are unaffected by whatever a test does to the server.
 */
final class GoodClients implements AutoCloseable {
    final LongAdder served = new LongAdder();
    final LongAdder wrong = new LongAdder();
    final LongAdder failed = new LongAdder();
    /** Replies with status RETRY (allowed only where a test says so, e.g. database down). */
    final LongAdder retry = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

    private final Path socket;
    private final String table;
    private final int keys;
    private final long pauseMicros;
    private final boolean reconnect;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * @param reconnect on a failed request, reconnect and go on, as Postfix clients do
     *                  (counted in {@link #reconnects}); otherwise the failure is counted and the client stops
     */
    GoodClients(Path socket, String table, int keys, int clients, long pauseMicros, boolean reconnect) {
        this.socket = socket;
        this.table = table;
        this.keys = keys;
        this.pauseMicros = pauseMicros;
        this.reconnect = reconnect;
        for (int i = 0; i < clients; i++) threads.add(Thread.ofVirtual().name("good-", i).start(this::run));
    }

    private void run() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        WireClient c = null;
        while (running) {
            try {
                if (c == null) c = Clients.connect(socket, true, 60_000);
                int k = rnd.nextInt(keys + 1); // k == keys: not in the table
                boolean dialectC = rnd.nextBoolean();
                AttrList r = dialectC
                        ? c.call("request", "lookup", "table", table, "instance_flags", "540737", "flags", "540753", "key", "k" + k)
                        : c.call("request", "lookup", "table", table, "flags", "540737", "key", "k" + k);
                if (r == null) throw new IOException("connection closed instead of a reply");
                String want = k == keys
                        ? (dialectC ? "status\\01\\0flags\\0540753\\0value\\0\\0\\0" : "status\\01\\0value\\0\\0\\0")
                        : (dialectC ? "status\\00\\0flags\\0540753\\0value\\0v" + k + "\\0\\0" : "status\\00\\0value\\0v" + k + "\\0\\0");
                String got = WireClient.escaped(r);
                if (r.size() > 0 && r.value(0).equals("2")) {
                    retry.increment();
                } else if (got.equals(want)) {
                    served.increment();
                } else {
                    wrong.increment();
                    if (problems.size() < 20) problems.add("k" + k + ": want " + want + " got " + got);
                }
                if (pauseMicros > 0) Thread.sleep(pauseMicros / 1000, (int) (pauseMicros % 1000) * 1000);
            } catch (IOException e) {
                close(c);
                c = null;
                if (!running) break;
                if (!reconnect) {
                    failed.increment();
                    if (problems.size() < 20) problems.add(e.toString());
                    return;
                }
                reconnects.increment();
                Clients.sleep(20);
            } catch (InterruptedException e) {
                break;
            }
        }
        close(c);
    }

    private static void close(WireClient c) {
        if (c == null) return;
        try {
            c.close();
        } catch (IOException ignored) {
            // gone anyway
        }
    }

    long total() { return served.sum() + wrong.sum() + failed.sum() + retry.sum(); }

    String summary() {
        return String.format("served %d, wrong %d, failed %d, retry %d, reconnects %d%s", served.sum(), wrong.sum(),
                failed.sum(), retry.sum(), reconnects.sum(), problems.isEmpty() ? "" : ", problems " + problems);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join(10_000);
    }
}
