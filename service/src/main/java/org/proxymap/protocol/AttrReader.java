package org.proxymap.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Decodes {@code attr_print0} lists ({@code name NUL value NUL ... NUL}) from a channel.
 *
 * <p>Each list is read through to its terminator, so a request with trailing junk never
 * desynchronises the stream. Limits on the number of attributes and on the size of one
 * name or value protect the server from a client that never sends a NUL.
 */
public final class AttrReader {
    /** Called when the first byte of a new list arrives: the request deadline starts there. */
    public interface ListStart { void started(); }

    private final ReadableByteChannel channel;
    private final ByteBuffer buf;
    private final int maxAttributes;
    private final int maxSize;
    private final ListStart listStart;
    private byte[] scratch = new byte[256];

    public AttrReader(ReadableByteChannel channel, int bufferSize, int maxAttributes, int maxSize,
                      ListStart listStart) {
        this.channel = channel;
        this.buf = ByteBuffer.allocate(bufferSize).flip();
        this.maxAttributes = maxAttributes;
        this.maxSize = maxSize;
        this.listStart = listStart;
    }

    /** True when bytes of a next list are already buffered (a pipelining client). */
    public boolean hasBuffered() { return buf.hasRemaining(); }

    /**
     * Reads one whole list into {@code into}.
     *
     * @return false on a clean end of file before the first byte of a list
     * @throws EOFException end of file inside a list
     * @throws ProtocolException a limit was exceeded
     */
    public boolean read(AttrList into) throws IOException {
        into.clear();
        if (!buf.hasRemaining()) {
            if (!fill()) return false;
        }
        listStart.started();
        while (true) {
            String name = readString(true);
            if (name.isEmpty()) return true;
            if (into.size() >= maxAttributes) {
                throw new ProtocolException("more than " + maxAttributes
                        + " attributes in one request; raise proxymap_max_attributes in proxymap.cf if a real client needs more");
            }
            into.add(name, readString(false));
        }
    }

    private String readString(boolean isName) throws IOException {
        int len = 0;
        while (true) {
            if (!buf.hasRemaining() && !fill()) {
                throw new EOFException("unexpected end-of-input while reading input attribute "
                        + (isName ? "name" : "value"));
            }
            byte[] arr = buf.array();
            int pos = buf.position();
            int lim = buf.limit();
            for (int i = pos; i < lim; i++) {
                if (arr[i] == 0) {
                    int n = i - pos;
                    checkSize(len + n, isName);
                    buf.position(i + 1);
                    if (len == 0) {
                        String known = known(arr, pos, n);
                        return known != null ? known : new String(arr, pos, n, StandardCharsets.ISO_8859_1);
                    }
                    append(arr, pos, n, len);
                    return new String(scratch, 0, len + n, StandardCharsets.ISO_8859_1);
                }
            }
            int n = lim - pos;
            checkSize(len + n, isName);
            append(arr, pos, n, len);
            len += n;
            buf.position(lim);
        }
    }

    /** Attribute names and request types that every request repeats: no new String for them. */
    private static final String[] KNOWN = {"request", "table", "flags", "key", "lookup", "instance_flags", "value",
        "open", "function", "update", "delete", "sequence", "status", "protocol"};
    private static final byte[][] KNOWN_BYTES = new byte[KNOWN.length][];
    static {
        for (int i = 0; i < KNOWN.length; i++) KNOWN_BYTES[i] = KNOWN[i].getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String known(byte[] a, int off, int n) {
        if (n > 14) return null;
        for (int k = 0; k < KNOWN_BYTES.length; k++) {
            byte[] b = KNOWN_BYTES[k];
            if (b.length == n && java.util.Arrays.equals(a, off, off + n, b, 0, n)) return KNOWN[k];
        }
        return null;
    }

    private void append(byte[] src, int off, int n, int len) {
        if (len + n > scratch.length) {
            scratch = java.util.Arrays.copyOf(scratch, Math.max(scratch.length * 2, len + n));
        }
        System.arraycopy(src, off, scratch, len, n);
    }

    private void checkSize(int len, boolean isName) throws ProtocolException {
        if (len > maxSize) {
            throw new ProtocolException("attribute " + (isName ? "name" : "value") + " longer than "
                    + maxSize + " bytes; raise proxymap_max_attribute_size in proxymap.cf if a real client sends longer keys"
                    + " (header_checks lookups carry whole headers: keep it above Postfix's header_size_limit)");
        }
    }

    private boolean fill() throws IOException {
        buf.clear();
        int n;
        do {
            n = channel.read(buf);
        } while (n == 0);
        buf.flip();
        return n > 0;
    }
}
