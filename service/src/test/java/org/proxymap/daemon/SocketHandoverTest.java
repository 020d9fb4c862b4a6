package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.proxymap.it.PostfixReference;
import org.proxymap.it.Postmap;
import org.proxymap.testing.Require;

/**
 * A restart with socket activation, measured with real Postfix clients: Debian's {@code postmap
 * -q KEY proxy:texthash:...} runs in a loop in three threads while the service restarts. systemd's
 * part is played by {@code systemd-socket-activate}, which binds both sockets, names them
 * (FileDescriptorName=) and passes them as fd 3 and 4; a shell loop under it restarts the service
 * with LISTEN_PID set to the new process, as systemd does on {@code systemctl restart}. No client
 * may fail or warn, the worst client stall must stay within 2 s (a client waits in the listen
 * backlog only while the service is away: within that time plus 1 s, and within 2 s where the load
 * is at most one runnable process per core),
 * where a service that binds its own sockets stalls clients 10 s and more (they find no socket
 * and sleep mail_connect_wait): that is measured here too.
 */
@Timeout(240)
class SocketHandoverTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration HANDOVER_LIMIT = Duration.ofSeconds(2);
    private static final String READY = "configuration generation 1 in force";
    private static final String MAIN_CF = "proxy_read_maps = proxy:texthash:@DIR@/etc/t\nproxy_write_maps =\n";
    private static final int CLIENTS = 3;
    private static final long PAUSE_MILLIS = 50;
    private static Path activate;

    @BeforeAll
    static void requirements() {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postmap)");
        activate = Require.executable("/usr/bin/systemd-socket-activate");
    }

    @Test
    void underJsvcClientsWaitInTheBacklogAcrossARestart() throws Exception {
        Require.that(Files.isExecutable(JsvcDaemonTest.JSVC), JsvcDaemonTest.JSVC + " (Debian package jsvc)");
        handover(JsvcDaemonTest.USER);
    }

    @Test
    void plainJvmClientsWaitInTheBacklogAcrossARestart() throws Exception {
        handover(null);
    }

    /** Today's restart without socket activation, for comparison: the sockets vanish and clients sleep 10 s. */
    @Test
    void withoutPassedSocketsClientsSleepMailConnectWait() throws Exception {
        try (DaemonProcess d = DaemonProcess.prepare(MAIN_CF, null)) {
            d.write("t", "alice@example.com  alice@mailhost\n");
            d.start(null).awaitLog(READY, START);
            try (Clients clients = new Clients(d)) {
                clients.awaitAnswers(2 * CLIENTS);
                clients.clear(); // from here on: the restart
                long stop = System.nanoTime();
                d.signal("TERM");
                d.awaitExit(START);
                d.start(null).awaitLog(READY, START);
                long ready = System.nanoTime();
                clients.awaitAnswersAfter(ready, 2 * CLIENTS);
                // they warn (connect to private/proxymap: No such file or directory); a postmap whose
                // connection the stopping service closed before its request dies of SIGPIPE (exit 141)
                clients.stop(false);
                Duration worst = clients.worst();
                System.out.printf("handover: own sockets, restart %d ms, postmap -q median %d ms, worst %d ms, %d lookups, failed %s, %s%n",
                        (ready - stop) / 1_000_000, clients.median().toMillis(), worst.toMillis(), clients.count(),
                        clients.failures(), load());
                assertTrue(clients.startedBetween(stop, ready) > 0, "no client ran during the restart");
                assertTrue(worst.compareTo(Duration.ofSeconds(9)) >= 0,
                        "a client that finds no socket sleeps mail_connect_wait (10 s); worst was " + worst.toMillis() + " ms");
            }
        }
    }

    private void handover(String jsvcUser) throws Exception {
        double loadBefore = loadPerCore();
        try (DaemonProcess d = DaemonProcess.prepare(MAIN_CF, jsvcUser)) {
            d.write("t", "alice@example.com  alice@mailhost\n");
            Path proxymap = d.socket("proxymap"), proxywrite = d.socket("proxywrite");
            Path stopFile = d.dir.resolve("stop-holder"), childPid = d.dir.resolve("child.pid");
            // systemd's part: the sockets stay in this process; each service process is started with
            // LISTEN_PID = its own pid, until stop-holder exists
            String loop = "while [ ! -e '" + stopFile + "' ]; do sh -c 'echo $$ > \"" + childPid
                    + "\"; LISTEN_PID=$$; export LISTEN_PID; exec \"$@\"' service \"$@\"; done";
            d.start(jsvcUser, List.of(activate.toString(), "-l", proxymap.toString(), "-l", proxywrite.toString(),
                    "--fdname=proxymap:proxywrite",
                    // its children get a clean environment, as under systemd, plus what DaemonProcess sets
                    "-E", "PROXYMAP_CLASSPATH", "-E", "PROXYMAP_PIDFILE", "/bin/sh", "-c", loop, "holder"), Map.of());
            awaitFile(proxywrite);
            try (Clients clients = new Clients(d)) {
                // the first client's connection makes systemd-socket-activate start the service
                d.awaitLog(READY, START);
                clients.awaitAnswers(2 * CLIENTS);
                assertTrue(d.output().contains("proxymap service listening on " + proxymap + " (socket passed by systemd"),
                        d.output());
                assertTrue(d.output().contains("proxywrite service listening on " + proxywrite + " (socket passed by systemd"),
                        d.output());
                long first = Long.parseLong(Files.readString(childPid).trim());
                clients.clear(); // the first clients waited for the first start: from here on, the restart

                long stop = System.nanoTime();
                DaemonProcess.signal("TERM", first);
                awaitCount(d, READY, 2);
                long ready = System.nanoTime();
                clients.awaitAnswersAfter(ready, 2 * CLIENTS);
                clients.stop(true);
                Duration worst = clients.worst();
                System.out.printf("handover: %s, restart %d ms, postmap -q median %d ms, worst %d ms, %d lookups, %s%n",
                        jsvcUser == null ? "plain JVM" : "jsvc", (ready - stop) / 1_000_000, clients.median().toMillis(),
                        worst.toMillis(), clients.count(), load());
                assertTrue(clients.startedBetween(stop, ready) > 0, "no client ran during the restart");
                assertTrue(Files.exists(proxymap) && Files.exists(proxywrite), "the stopped service removed systemd's sockets");
                // a client waits as long as the service is away, and no 10 s more; on a machine with more runnable
                // processes than one per core the new JVM's start alone can take longer than 2 s
                Duration downtime = Duration.ofNanos(ready - stop);
                assertTrue(worst.compareTo(downtime.plusSeconds(1)) <= 0, "worst client stall " + worst.toMillis()
                        + " ms, the service was away " + downtime.toMillis() + " ms:\n" + clients.slowest() + "\n" + d.output());
                double load = Math.max(loadBefore, loadPerCore());
                if (load <= 1.0) {
                    assertTrue(worst.compareTo(HANDOVER_LIMIT) <= 0, "worst client stall " + worst.toMillis()
                            + " ms across the restart:\n" + clients.slowest() + "\n" + d.output());
                } else {
                    System.out.printf("handover: load %.1f per core, the %d ms limit not applied%n", load,
                            HANDOVER_LIMIT.toMillis());
                }
            } finally {
                Files.writeString(stopFile, "");
                if (Files.exists(childPid)) {
                    try {
                        DaemonProcess.signal("TERM", Long.parseLong(Files.readString(childPid).trim()));
                    } catch (AssertionError gone) {
                        // the service had not been started, or is gone already
                    }
                }
                d.awaitExit(START);
            }
            // a service process that served passed sockets never removes them; the holder's exit did not either
            assertTrue(Files.exists(proxymap), "socket file removed:\n" + d.output());
        }
    }

    /** postmap -q in a loop, {@link #CLIENTS} at once; every answer must be the table's value. */
    private static final class Clients implements AutoCloseable {
        record Call(long start, long end, Postmap.Result result) {}

        private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Clients(DaemonProcess d) {
            String table = "proxy:texthash:" + d.etc.resolve("t");
            for (int i = 0; i < CLIENTS; i++) {
                threads.add(Thread.ofPlatform().daemon().name("postmap-" + i).start(() -> {
                    while (running.get()) {
                        long start = System.nanoTime();
                        Postmap.Result r;
                        try {
                            r = Postmap.run(d.etc, null, 60, "-q", "alice@example.com", table);
                        } catch (Exception e) {
                            r = new Postmap.Result(-1, "", e.toString());
                        }
                        calls.add(new Call(start, System.nanoTime(), r));
                        try {
                            Thread.sleep(PAUSE_MILLIS); // clients that do not spin: the CPU goes to the starting JVM
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
        }

        void clear() {
            calls.clear();
        }

        void awaitAnswers(int n) throws InterruptedException {
            awaitAnswersAfter(0, n);
        }

        /** Waits for {@code n} calls that started at or after {@code nanoTime} to finish. */
        void awaitAnswersAfter(long nanoTime, int n) throws InterruptedException {
            long end = System.nanoTime() + START.toNanos();
            while (System.nanoTime() < end) {
                synchronized (calls) {
                    if (calls.stream().filter(c -> c.start - nanoTime >= 0).count() >= n) return;
                }
                Thread.sleep(20);
            }
            throw new AssertionError("clients got fewer than " + n + " answers: " + slowest());
        }

        /** Stops the loops; every call must have found the value, and with {@code quiet} none may have warned. */
        void stop(boolean quiet) throws InterruptedException {
            running.set(false);
            for (Thread t : threads) t.join(Duration.ofSeconds(70));
            synchronized (calls) {
                for (Call c : calls) {
                    if (!quiet && c.result.exit() != 0) continue; // counted in failures()
                    assertEquals(0, c.result.exit(), "a postmap -q failed: " + c.result);
                    assertEquals("alice@mailhost\n", c.result.stdout(), "a postmap -q failed: " + c.result);
                    if (quiet) assertEquals("", c.result.stderr(), "a client warned: " + c.result);
                }
            }
        }

        List<Postmap.Result> failures() {
            synchronized (calls) {
                return calls.stream().map(Call::result).filter(r -> r.exit() != 0).toList();
            }
        }

        int count() { return calls.size(); }

        long startedBetween(long from, long to) {
            synchronized (calls) {
                return calls.stream().filter(c -> c.start - from >= 0 && to - c.start >= 0).count();
            }
        }

        Duration median() {
            synchronized (calls) {
                long[] d = calls.stream().mapToLong(c -> c.end - c.start).sorted().toArray();
                return Duration.ofNanos(d.length == 0 ? 0 : d[d.length / 2]);
            }
        }

        Duration worst() {
            synchronized (calls) {
                return Duration.ofNanos(calls.stream().mapToLong(c -> c.end - c.start).max().orElse(0));
            }
        }

        String slowest() {
            synchronized (calls) {
                return calls.stream().sorted((a, b) -> Long.compare(b.end - b.start, a.end - a.start)).limit(3)
                        .map(c -> (c.end - c.start) / 1_000_000 + " ms: " + c.result).toList().toString();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) t.join(Duration.ofSeconds(70));
        }
    }

    private static void awaitCount(DaemonProcess d, String text, int n) throws InterruptedException {
        long end = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < end) {
            Matcher m = Pattern.compile(Pattern.quote(text)).matcher(d.output());
            int seen = 0;
            while (m.find()) seen++;
            if (seen >= n) return;
            Thread.sleep(20);
        }
        throw new AssertionError(n + " times \"" + text + "\" expected:\n" + d.output());
    }

    private static void awaitFile(Path p) throws InterruptedException {
        for (int i = 0; i < 500 && !Files.exists(p); i++) Thread.sleep(20);
        assertTrue(Files.exists(p), p + " not created");
    }

    private static double loadPerCore() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0])
                    / Runtime.getRuntime().availableProcessors();
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static String load() {
        try {
            return "load " + Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "load unknown";
        }
    }
}
