package org.proxymap.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.WireClient;

/**
 * Faults that need the daemon in its own process: SIGTERM under load (requests in flight
 * are answered), kill -9 and restart (the stale socket is taken over, clients reconnect),
 * and running out of file descriptors (EMFILE: logged clearly, serving resumes).
 */
class DaemonProcessTest {
    static Path config(String extraProxymapCf) throws IOException {
        Path dir = TestServer.newConfig("proxy_read_maps = proxy:texthash:${config_directory}/t proxy:slow:400");
        Clients.writeTable(dir.resolve("etc/t"), 100);
        Files.writeString(dir.resolve("etc/proxymap.cf"), extraProxymapCf);
        return dir;
    }

    static Path socket(Path dir) { return dir.resolve("queue/private/proxymap"); }

    static String table(Path dir) { return "texthash:" + dir.resolve("etc/t"); }

    @Test
    void sigtermAnswersRequestsInFlightThenRemovesTheSockets() throws Exception {
        Path dir = config("proxymap_shutdown_grace = 10s\n");
        try (ChildDaemon d = ChildDaemon.start(dir, 0)) {
            int inFlight = 40;
            List<WireClient> clients = new ArrayList<>();
            for (int i = 0; i < inFlight; i++) clients.add(Clients.connect(socket(dir)));
            WireClient idle = Clients.connect(socket(dir));
            GoodClients good = new GoodClients(socket(dir), table(dir), 100, 4, 200, false);
            Clients.sleep(300);
            for (int i = 0; i < inFlight; i++) clients.get(i).send("request", "lookup", "table", "slow:400", "flags", "0", "key", "k" + i);
            Clients.sleep(100); // read by the server, now sleeping in the table
            long t0 = System.nanoTime();
            int[] exit = new int[1];
            Thread term = Thread.ofVirtual().start(() -> {
                try {
                    exit[0] = d.terminate(30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            int answered = 0;
            for (int i = 0; i < inFlight; i++) {
                AttrList r = clients.get(i).read();
                if (r != null && WireClient.escaped(r).equals("status\\00\\0value\\0slow-k" + i + "\\0\\0")) answered++;
                assertEquals(null, clients.get(i).read(), "connection closed after the reply");
                clients.get(i).close();
            }
            assertEquals(null, idle.read(), "an idle connection is closed at once");
            idle.close();
            term.join();
            good.close();
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("SIGTERM: %d of %d requests in flight answered, exit status %d after %.1f s; good clients: %s%n",
                    answered, inFlight, exit[0], seconds, good.summary());
            assertEquals(inFlight, answered);
            assertEquals(0, good.wrong.sum(), good.summary());
            assertTrue(exit[0] == 143 || exit[0] == 0, "exit status " + exit[0] + "\n" + d.log());
            assertFalse(Files.exists(socket(dir)), "socket file left behind");
            assertTrue(d.log().contains("daemon stopped"), d.log());
        }
    }

    @Test
    void killMinus9AndRestartClientsReconnect() throws Exception {
        Path dir = config("");
        ChildDaemon first = ChildDaemon.start(dir, 0);
        try (GoodClients good = new GoodClients(socket(dir), table(dir), 100, 16, 200, true)) {
            Clients.sleep(1000);
            long servedBefore = good.served.sum();
            first.kill();
            assertTrue(Files.exists(socket(dir)), "kill -9 leaves the socket file behind");
            Clients.sleep(500);
            long t0 = System.nanoTime();
            try (ChildDaemon second = ChildDaemon.start(dir, 0)) {
                double restart = (System.nanoTime() - t0) / 1e9;
                long servedAtRestart = good.served.sum();
                Clients.sleep(1500);
                good.close();
                System.out.printf("kill -9 + restart: restart took %.1f s; served %d before the kill, %d after the restart; "
                        + "good clients: %s%n", restart, servedBefore, good.served.sum() - servedAtRestart, good.summary());
                assertTrue(servedBefore > 0);
                assertTrue(good.served.sum() - servedAtRestart > 100, good.summary());
                assertEquals(0, good.wrong.sum(), good.summary());
                assertTrue(good.reconnects.sum() >= 16, "every client had to reconnect: " + good.summary());
                assertFalse(second.log().contains("fatal"), second.log());
            }
        } finally {
            first.close();
        }
    }

    @Test
    void outOfFileDescriptorsIsLoggedAndServingResumes() throws Exception {
        Path dir = config("");
        try (ChildDaemon d = ChildDaemon.start(dir, 256)) {
            WireClient before = Clients.connect(socket(dir));
            String t = table(dir);
            assertEquals("status\\00\\0value\\0v1\\0\\0",
                    WireClient.escaped(before.call("request", "lookup", "table", t, "flags", "0", "key", "k1")));
            List<WireClient> flood = new ArrayList<>();
            for (int i = 0; i < 400; i++) flood.add(WireClient.connect(socket(dir), false)); // platform thread: waits in the backlog
            long end = System.nanoTime() + 10_000_000_000L;
            while (!d.log().contains("Too many open files") && System.nanoTime() < end) Thread.sleep(20);
            String log = d.log();
            assertTrue(log.contains("Too many open files") && log.contains("raise LimitNOFILE / ulimit -n"), log);
            // connections it has keep working while it cannot accept
            assertEquals("status\\00\\0value\\0v2\\0\\0",
                    WireClient.escaped(before.call("request", "lookup", "table", t, "flags", "0", "key", "k2")));
            for (WireClient c : flood) c.close();
            WireClient after = Clients.connect(socket(dir), true, 10_000);
            assertEquals("status\\00\\0value\\0v3\\0\\0",
                    WireClient.escaped(after.call("request", "lookup", "table", t, "flags", "0", "key", "k3")));
            end = System.nanoTime() + 5_000_000_000L;
            while (!d.log().contains("works again") && System.nanoTime() < end) Thread.sleep(20);
            long errors = d.log().lines().filter(l -> l.contains("Too many open files")).count();
            System.out.printf("EMFILE: ulimit -n 256, 400 connections offered; %d error line(s) logged; served again after%n", errors);
            assertTrue(d.log().contains("works again"), d.log());
            assertTrue(errors < 10, "EMFILE must be logged once per episode, not per retry: " + errors);
            before.close();
            after.close();
        }
    }


    /** A process stall (GC pause, CPU starvation; here SIGSTOP) is not blamed on the clients. */
    @Test
    void aStalledProcessDoesNotCutItsClients() throws Exception {
        Path dir = config("");
        try (ChildDaemon d = ChildDaemon.start(dir, 0); WireClient c = Clients.connect(socket(dir))) {
            byte[] request = HostileInput.encode(HostileInput.request("lookup", table(dir), false, "k4"), true);
            int half = request.length / 2;
            c.sendRaw(java.util.Arrays.copyOf(request, half)); // the 1 s request deadline starts
            Thread.sleep(200);
            signal(d, "STOP");
            Thread.sleep(2000);
            signal(d, "CONT");
            Thread.sleep(30); // the watchdog runs first: it must not count the 2 s the process was stopped
            AttrList r;
            try {
                c.sendRaw(java.util.Arrays.copyOfRange(request, half, request.length));
                r = c.read();
            } catch (IOException e) {
                r = null;
            }
            System.out.printf("stall: daemon stopped 2 s in the middle of a request; reply %s%n", r);
            assertEquals("status\\00\\0value\\0v4\\0\\0", r == null ? "closed" : WireClient.escaped(r));
            long end = System.nanoTime() + 5_000_000_000L;
            while (!d.log().contains("did not run for") && System.nanoTime() < end) Thread.sleep(20);
            assertTrue(d.log().contains("did not run for"), d.log());
        }
    }

    static void signal(ChildDaemon d, String sig) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(d.process.pid())).start().waitFor());
    }
}
