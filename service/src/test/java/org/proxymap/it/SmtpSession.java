package org.proxymap.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal SMTP client over a plain socket, enough to drive smtpd in tests: each command
 * returns the server's whole reply (every line of a multi-line reply, joined by '\n').
 */
final class SmtpSession implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    /** The greeting (220 ...). */
    final String greeting;

    SmtpSession(int port, int readTimeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(readTimeoutMillis);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        out = socket.getOutputStream();
        greeting = reply();
    }

    /** Sends one command line, returns the reply. */
    String command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    /** After a 354: sends the message (lines, dot-stuffed here) and the final dot; returns the reply. */
    String message(String text) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) b.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        b.append(".\r\n");
        out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    private String reply() throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            String line = in.readLine();
            if (line == null) throw new IOException("SMTP server closed the connection" + (b.isEmpty() ? "" : " after " + b));
            if (!b.isEmpty()) b.append('\n');
            b.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') return b.toString();
        }
    }

    /** The reply code of a reply. */
    static int code(String reply) {
        return Integer.parseInt(reply.substring(0, 3));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
