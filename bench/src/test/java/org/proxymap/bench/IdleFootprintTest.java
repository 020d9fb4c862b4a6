package org.proxymap.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The footprint helper's parsing, and one short run against the null server. */
class IdleFootprintTest {
    @Test
    void sumsTheSerialCollectorsGenerations() {
        String jdk25 = """
                17527:
                DefNew     total 116160K, used 28967K [0x0000000687400000, 0x000000068f200000, 0x0000000704d50000)
                 eden space 103296K,  28% used [0x0000000687400000, 0x0000000689049ce0, 0x000000068d8e0000)
                Tenured    total 258048K, used 1084K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                 the  space 258048K,   0% used [0x0000000704d50000, 0x0000000704e5f298, 0x0000000714950000)
                """;
        assertArrayEquals(new double[] {(116160 + 258048) / 1024.0, (28967 + 1084) / 1024.0}, IdleFootprint.heapMb(jdk25));
        assertTrue(Double.isNaN(IdleFootprint.heapMb("17527:\nno such command")[0]));
    }

    @Test
    void readsStatusAndThreadsFromProcStatus() {
        String status = "Name:\tjava\nVmRSS:\t  123456 kB\nThreads:\t19\n";
        assertEquals(123456, IdleFootprint.statusKb(status, "VmRSS"));
        assertEquals(19, IdleFootprint.statusKb(status, "Threads"));
    }

    @Test
    void findsTheEndOfAListAndItsStatus() {
        ByteBuffer in = ByteBuffer.allocate(64);
        in.put("status\u00000\u0000flags\u00001\u0000".getBytes(StandardCharsets.ISO_8859_1));
        String[] status = {null};
        assertFalse(IdleFootprint.complete(in, status), "no terminator yet");
        in.put((byte) 0);
        assertTrue(IdleFootprint.complete(in, status));
        assertEquals("0", status[0]);
    }

    @Test
    void keepsConnectionsOpenAndWritesARowPerStep() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "pmfoot");
        Path sock = dir.resolve("s");
        Path csv = dir.resolve("f.csv");
        try (NullServer s = new NullServer(sock, true, 50)) {
            IdleFootprint f = new IdleFootprint();
            f.parse(new String[] {"--socket", sock.toString(), "--table", "texthash:x", "--pid",
                    String.valueOf(ProcessHandle.current().pid()), "--connections", "0,3", "--settle", "0", "--keys", "7",
                    "--csv", csv.toString()});
            assertTrue(f.run());
            List<String> lines = Files.readAllLines(csv);
            assertEquals(IdleFootprint.CSV_HEADER, lines.get(0));
            assertEquals(3, lines.size());
            assertTrue(lines.get(1).startsWith("ours,7,0,"), lines.get(1));
            assertTrue(lines.get(2).startsWith("ours,7,3,"), lines.get(2));
        } finally {
            Files.deleteIfExists(csv);
            Files.deleteIfExists(sock);
            Files.delete(dir);
        }
    }
}
