package org.proxymap.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrReader;
import org.proxymap.protocol.AttrWriter;
import org.proxymap.protocol.ProtocolException;

/**
 * Property tests of the decoder ({@link AttrReader}) on hostile bytes, delivered in random
 * chunks (one byte at a time included): it returns whole lists, a clean end of file, or
 * throws EOFException/ProtocolException - nothing else - and never buffers more than its
 * limits allow.
 */
class DecoderFuzzTest {
    static final int MAX_ATTRS = 64, MAX_SIZE = 4096, BUFFER = 512;

    /** Feeds bytes in random-sized chunks; counts what was consumed. */
    static final class ChunkedChannel implements ReadableByteChannel {
        final byte[] data;
        final SplittableRandom rnd;
        int pos;

        ChunkedChannel(byte[] data, long seed) {
            this.data = data;
            this.rnd = new SplittableRandom(seed);
        }

        @Override
        public int read(ByteBuffer dst) {
            if (pos >= data.length) return -1;
            int n = Math.min(Math.min(dst.remaining(), data.length - pos), rnd.nextInt(4) == 0 ? 1 : 1 + rnd.nextInt(700));
            dst.put(data, pos, n);
            pos += n;
            return n;
        }

        @Override public boolean isOpen() { return true; }
        @Override public void close() { }
    }

    @Test
    void hostileBytesGiveListsOrAProtocolErrorNothingElse() {
        long seed = Budget.seed();
        Budget budget = Budget.fuzz(20_000);
        long lists = 0, protocolErrors = 0, eofs = 0, i = 0;
        for (; budget.more(i); i++) {
            HostileInput in = new HostileInput(seed + i, List.of("texthash:/t", "static:x"), MAX_ATTRS, MAX_SIZE);
            byte[] bytes = in.next();
            ChunkedChannel ch = new ChunkedChannel(bytes, seed + i);
            AttrReader r = new AttrReader(ch, BUFFER, MAX_ATTRS, MAX_SIZE, () -> { });
            AttrList l = new AttrList();
            try {
                while (r.read(l)) {
                    lists++;
                    assertTrue(l.size() <= MAX_ATTRS, "seed " + (seed + i) + ": too many attributes passed");
                    for (int k = 0; k < l.size(); k++) {
                        assertTrue(!l.name(k).isEmpty() && l.name(k).length() <= MAX_SIZE && l.value(k).length() <= MAX_SIZE,
                                "seed " + (seed + i) + ": attribute beyond limits passed");
                    }
                }
                assertEquals(bytes.length, ch.pos, "seed " + (seed + i) + ": clean end before all input was read");
            } catch (ProtocolException e) {
                protocolErrors++;
            } catch (EOFException e) {
                eofs++;
                assertEquals(bytes.length, ch.pos, "seed " + (seed + i) + ": EOF reported early");
            } catch (Throwable t) {
                fail("seed " + (seed + i) + " (-Dproxymap.fuzz.seed=" + (seed + i) + "): decoder threw " + t, t);
            }
        }
        System.out.printf("decoder fuzz: seed %d, %d inputs, %d lists, %d protocol errors, %d EOFs%n",
                seed, i, lists, protocolErrors, eofs);
        assertTrue(lists > 0 && protocolErrors > 0 && eofs > 0, "the generator must reach every outcome");
    }

    @Test
    void whateverIsEncodedDecodesUnchanged() throws IOException {
        long seed = Budget.seed();
        Budget budget = Budget.fuzz(5_000);
        long i = 0;
        for (; budget.more(i); i++) {
            HostileInput in = new HostileInput(seed + i, List.of("t:t"), MAX_ATTRS, MAX_SIZE);
            List<String[]> attrs = new ArrayList<>();
            int n = in.nextInt(MAX_ATTRS + 1);
            AttrWriter w = new AttrWriter();
            for (int k = 0; k < n; k++) {
                String[] a = {in.randomString(1 + in.nextInt(30)), in.randomString(in.nextInt(3) == 0 ? in.nextInt(MAX_SIZE + 1) : in.nextInt(10))};
                attrs.add(a);
                w.str(a[0], a[1]);
            }
            w.end();
            ChunkedChannel ch = new ChunkedChannel(w.toByteArray(), seed + i);
            AttrList l = new AttrList();
            assertTrue(new AttrReader(ch, BUFFER, MAX_ATTRS, MAX_SIZE, () -> { }).read(l));
            assertEquals(n, l.size(), "seed " + (seed + i));
            for (int k = 0; k < n; k++) {
                assertEquals(attrs.get(k)[0], l.name(k), "seed " + (seed + i));
                assertEquals(attrs.get(k)[1], l.value(k), "seed " + (seed + i));
            }
        }
    }

    /** An endless stream without NUL, or of tiny attributes: refused within the limit, not buffered. */
    @Test
    void endlessInputIsCutAtTheLimit() {
        for (byte[] pattern : new byte[][] {{'a'}, {'a', 0, 'b', 0}, {'a', 0}}) {
            long[] consumed = {0};
            ReadableByteChannel endless = new ReadableByteChannel() {
                int p;
                @Override public int read(ByteBuffer dst) {
                    int n = dst.remaining();
                    for (int k = 0; k < n; k++) dst.put(pattern[p++ % pattern.length]);
                    consumed[0] += n;
                    return n;
                }
                @Override public boolean isOpen() { return true; }
                @Override public void close() { }
            };
            AttrReader r = new AttrReader(endless, BUFFER, MAX_ATTRS, MAX_SIZE, () -> { });
            assertThrows(ProtocolException.class, () -> r.read(new AttrList()));
            assertTrue(consumed[0] <= 2L * MAX_ATTRS * 2 + MAX_SIZE + BUFFER, "read " + consumed[0] + " bytes before refusing");
        }
    }
}
