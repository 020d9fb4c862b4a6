package org.proxymap.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import org.proxymap.protocol.AttrList;
import org.proxymap.protocol.AttrReader;
import org.proxymap.protocol.AttrWriter;

/** A raw protocol client for tests: send exact bytes or attribute lists, read whole replies. */
public final class WireClient implements AutoCloseable {
    private final SocketChannel channel;
    private final AttrReader reader;

    private WireClient(SocketChannel channel) {
        this.channel = channel;
        this.reader = new AttrReader(channel, 8192, 1000, 1 << 24, () -> { });
    }

    /** Connects and, when {@code expectHello}, reads and checks the protocol announcement. */
    public static WireClient connect(Path socket, boolean expectHello) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        WireClient c = new WireClient(ch);
        if (expectHello) {
            AttrList hello = c.read();
            if (hello == null || hello.size() != 1 || !hello.name(0).equals("protocol")
                    || !hello.value(0).equals("proxymap_protocol")) {
                throw new IOException("bad hello: " + hello);
            }
        }
        return c;
    }

    public static WireClient connect(Path socket) throws IOException { return connect(socket, true); }

    public void sendRaw(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) channel.write(b);
    }

    public void sendHex(String hex) throws IOException { sendRaw(HexFormat.of().parseHex(hex)); }

    /** Sends name/value pairs as one list. */
    public void send(String... nameValues) throws IOException {
        AttrWriter w = new AttrWriter();
        for (int i = 0; i < nameValues.length; i += 2) w.str(nameValues[i], nameValues[i + 1]);
        sendRaw(w.end().toByteArray());
    }

    /** Reads one reply list, or null on end of file. */
    public AttrList read() throws IOException {
        AttrList l = new AttrList();
        return reader.read(l) ? l : null;
    }

    /** Sends a request and returns the reply. */
    public AttrList call(String... nameValues) throws IOException {
        send(nameValues);
        return read();
    }

    public SocketChannel channel() { return channel; }

    public static String escaped(AttrList l) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < l.size(); i++) sb.append(l.name(i)).append("\\0").append(l.value(i)).append("\\0");
        return sb.append("\\0").toString();
    }

    public static byte[] bytes(String latin1) { return latin1.getBytes(StandardCharsets.ISO_8859_1); }

    @Override
    public void close() throws IOException { channel.close(); }
}
