package org.proxymap.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.proxymap.testing.Golden;
import org.proxymap.testing.Golden.Scenario;
import org.proxymap.testing.Golden.Step;

/**
 * The attr0 codec against every message of the golden transcripts (Postfix 3.5, 3.7 and
 * 3.11): each list decodes to the captured attributes and re-encodes to the same bytes, in
 * one read and byte by byte; the bytes that are no list (garbage) never decode.
 */
class AttrCodecGoldenTest {

    /** Delivers {@code data} in reads of at most {@code chunk} bytes, then end of file. */
    static final class ChunkedChannel implements ReadableByteChannel {
        private final byte[] data;
        private final int chunk;
        private int pos;

        ChunkedChannel(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (pos >= data.length) return -1;
            int n = Math.min(Math.min(chunk, dst.remaining()), data.length - pos);
            dst.put(data, pos, n);
            pos += n;
            return n;
        }

        @Override public boolean isOpen() { return true; }
        @Override public void close() { }
    }

    private static AttrReader reader(byte[] bytes, int chunk) {
        return new AttrReader(new ChunkedChannel(bytes, chunk), 8192, 64, 65536, () -> { });
    }

    private static byte[] encode(List<String[]> attrs, boolean reply) {
        AttrWriter w = new AttrWriter();
        for (String[] nv : attrs) {
            // replies carry numbers; encode them as the server does, through num()
            if (reply && (nv[0].equals("status") || nv[0].equals("flags"))) w.num(nv[0], Long.parseLong(nv[1]));
            else w.str(nv[0], nv[1]);
        }
        return w.end().toByteArray();
    }

    private static void assertDecodes(Step m, AttrList got, String where) {
        assertEquals(m.attrs().size(), got.size(), where + ": number of attributes");
        for (int i = 0; i < got.size(); i++) {
            assertEquals(m.attrs().get(i)[0], got.name(i), where + ": name " + i);
            assertEquals(m.attrs().get(i)[1], got.value(i), where + ": value " + i);
        }
    }

    /** One dynamic test per scenario; each message is checked on its own inside it. */
    @TestFactory
    Stream<DynamicTest> everyTranscriptListDecodesAndReencodesByteIdentical() {
        List<DynamicTest> tests = new ArrayList<>();
        int[] lists = {0};
        for (Scenario s : Golden.all()) {
            List<Step> messages = s.messages();
            if (messages.isEmpty()) continue;
            tests.add(dynamicTest(s.toString(), () -> {
                for (int k = 0; k < messages.size(); k++) {
                    Step m = messages.get(k);
                    if (m.attrs() == null) continue;
                    String where = s + " message " + k + " " + m.kind() + " " + m.escaped();
                    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 7}) {
                        AttrReader r = reader(m.bytes(), chunk);
                        AttrList got = new AttrList();
                        assertTrue(r.read(got), where + ": a whole list");
                        assertDecodes(m, got, where + " (reads of " + chunk + ")");
                        assertFalse(r.hasBuffered(), where + ": nothing after the terminator");
                        assertFalse(r.read(new AttrList()), where + ": clean end of file after the list");
                    }
                    assertArrayEquals(m.bytes(), encode(m.attrs(), m.toClient()), where + ": re-encoded");
                    lists[0]++;
                }
            }));
        }
        tests.add(dynamicTest("all three transcript sets were there", () -> assertTrue(lists[0] > 250, "lists checked: " + lists[0])));
        return tests.stream();
    }

    /** Lists that arrive back to back (scenario 21 and every multi-request scenario) stay apart. */
    @TestFactory
    Stream<DynamicTest> aScenariosClientStreamDecodesListByList() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Scenario s : Golden.all()) {
            List<Step> sent = s.messages().stream().filter(m -> m.toServer() && m.attrs() != null).toList();
            if (sent.size() < 2) continue;
            tests.add(dynamicTest(s.toString(), () -> {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (Step m : sent) all.write(m.bytes());
                for (int chunk : new int[] {Integer.MAX_VALUE, 1, 13}) {
                    AttrReader r = reader(all.toByteArray(), chunk);
                    for (Step m : sent) {
                        AttrList got = new AttrList();
                        assertTrue(r.read(got));
                        assertDecodes(m, got, s + " (reads of " + chunk + ")");
                    }
                    assertFalse(r.read(new AttrList()));
                }
            }));
        }
        return tests.stream();
    }

    /** Scenario 25 (bytes without a NUL) and any list cut short: end of file inside a list. */
    @TestFactory
    Stream<DynamicTest> garbageAndTruncatedListsNeverDecode() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Scenario s : Golden.all()) {
            List<Step> sent = s.messages().stream().filter(Step::toServer).toList();
            if (sent.isEmpty()) continue;
            tests.add(dynamicTest(s.toString(), () -> {
                for (Step m : sent) {
                    byte[] cut = m.attrs() == null ? m.bytes() : java.util.Arrays.copyOf(m.bytes(), m.bytes().length - 1);
                    EOFException e = assertThrows(EOFException.class, () -> reader(cut, 5).read(new AttrList()), m.escaped());
                    assertTrue(e.getMessage().startsWith("unexpected end-of-input while reading input attribute"), e.getMessage());
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void theHelloIsTheCapturedTwentyEightBytes() throws IOException {
        Step hello = Golden.load(Golden.Dialect.B).get(0).messages().get(0);
        byte[] ours = new AttrWriter().str("protocol", "proxymap_protocol").end().toByteArray();
        assertEquals(28, ours.length);
        assertArrayEquals(hello.bytes(), ours);
    }

    @Test
    void numbersAreUnsignedDecimalAsPrintfPercentU() {
        assertArrayEquals("flags\0004294967295\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                new AttrWriter().num("flags", -1).end().toByteArray());
        assertArrayEquals("status\0000\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                new AttrWriter().num("status", 0).end().toByteArray());
    }

    @Test
    void emptyValuesAndTheEmptyListRoundTrip() throws IOException {
        byte[] bytes = "status\0001\000value\000\000\000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        AttrList l = new AttrList();
        assertTrue(reader(bytes, 3).read(l));
        assertEquals("", l.value(1));
        assertArrayEquals(bytes, new AttrWriter().num("status", 1).str("value", "").end().toByteArray());
        AttrList empty = new AttrList();
        assertTrue(reader(new byte[] {0}, 1).read(empty));
        assertEquals(0, empty.size());
    }

    @Test
    void allEightBitBytesButNulPassThroughUnchanged() throws IOException {
        byte[] value = new byte[255];
        for (int i = 0; i < 255; i++) value[i] = (byte) (i + 1);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write("key\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        b.write(value);
        b.write(new byte[] {0, 0});
        AttrList l = new AttrList();
        assertTrue(reader(b.toByteArray(), 10).read(l));
        assertArrayEquals(b.toByteArray(), new AttrWriter().str(l.name(0), l.value(0)).end().toByteArray());
    }

    @Test
    void aNulInsideAValueEndsItAndNeverTheList() {
        assertArrayEquals("value\000a\000\000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                new AttrWriter().str("value", "a\0b").end().toByteArray());
    }

    @Test
    void limitsNameTheSettingThatRaisesThem() throws IOException {
        AttrWriter many = new AttrWriter();
        for (int i = 0; i < 5; i++) many.str("a" + i, "v");
        byte[] five = many.end().toByteArray();
        AttrList l = new AttrList();
        assertTrue(new AttrReader(new ChunkedChannel(five, 100), 64, 5, 100, () -> { }).read(l), "at the limit");
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> new AttrReader(new ChunkedChannel(five, 100), 64, 4, 100, () -> { }).read(new AttrList()));
        assertTrue(e.getMessage().contains("proxymap_max_attributes"), e.getMessage());

        byte[] longValue = ("key\0" + "x".repeat(101) + "\0\0").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(new AttrReader(new ChunkedChannel(longValue, 7), 64, 5, 101, () -> { }).read(new AttrList()), "at the limit");
        e = assertThrows(ProtocolException.class,
                () -> new AttrReader(new ChunkedChannel(longValue, 7), 64, 5, 100, () -> { }).read(new AttrList()));
        assertTrue(e.getMessage().contains("proxymap_max_attribute_size"), e.getMessage());
    }

    @Test
    void theDeadlineStartsWithTheFirstByteOfEachList() throws IOException {
        byte[] two = "request\0a\0\0request\0b\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int[] starts = {0};
        AttrReader r = new AttrReader(new ChunkedChannel(two, 4), 64, 5, 100, () -> starts[0]++);
        assertTrue(r.read(new AttrList()));
        assertEquals(1, starts[0]);
        assertTrue(r.read(new AttrList()));
        assertEquals(2, starts[0]);
        assertFalse(r.read(new AttrList()));
        assertEquals(2, starts[0], "a clean end of file starts no request");
    }
}
