package org.proxymap.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * Encodes one {@code attr_print0} list into a buffer that is written with a single
 * channel write: a reply is never split between connections or interleaved.
 */
public final class AttrWriter {
    private byte[] bytes = new byte[512];
    private int len;

    public AttrWriter str(String name, String value) {
        put(name);
        put(value);
        return this;
    }

    public AttrWriter num(String name, long value) {
        put(name);
        ensure(21);
        if (value < 0) value &= 0xFFFFFFFFL; // %u of a C int
        String s = Long.toString(value);
        for (int i = 0; i < s.length(); i++) bytes[len++] = (byte) s.charAt(i);
        bytes[len++] = 0;
        return this;
    }

    /** Terminates the list. */
    public AttrWriter end() {
        ensure(1);
        bytes[len++] = 0;
        return this;
    }

    public byte[] toByteArray() { return Arrays.copyOf(bytes, len); }

    public int length() { return len; }

    public void writeTo(WritableByteChannel channel) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, len);
        while (b.hasRemaining()) channel.write(b);
    }

    public void reset() {
        len = 0;
        if (bytes.length > 65536) bytes = new byte[512]; // do not pin a huge reply's buffer
    }

    /**
     * One string and its NUL. A NUL inside {@code s} (a database value, say) ends it there, as
     * C strings do in Postfix: written through, it would end the attribute early and leave
     * the client reading the rest as the next attribute.
     */
    private void put(String s) {
        int n = s.length();
        ensure(n + 1);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == 0) break;
            bytes[len++] = (byte) c; // ISO-8859-1: one char, one byte
        }
        bytes[len++] = 0;
    }

    private void ensure(int extra) {
        if (len + extra > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, len + extra));
    }
}
