package org.proxymap.table.socket;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Netstrings ({@code 12:hello world!,}) as Postfix's netstring.c reads and writes them, with
 * its error classes: a read fails with EOF, TIME, FORMAT or SIZE.
 */
final class Netstring {
    private Netstring() {}

    enum Error {
        EOF("unexpected disconnect"), TIME("time limit exceeded"), FORMAT("input format error"), SIZE("input exceeds size limit");

        final String text;

        Error(String text) { this.text = text; }
    }

    static final class NetstringException extends IOException {
        final Error error;

        NetstringException(Error error) {
            super(error.text, null);
            this.error = error;
        }
    }

    static byte[] encode(byte[] data) {
        byte[] head = (data.length + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + data.length + 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(data, 0, out, head.length, data.length);
        out[out.length - 1] = ',';
        return out;
    }

    /** Sends {@code data} as one netstring; a failure is TIME or EOF, as Postfix's netstring_fflush() reports it. */
    static void write(TimedChannel out, byte[] data) throws NetstringException {
        try {
            out.write(encode(data));
        } catch (SocketTimeoutException e) {
            throw new NetstringException(Error.TIME);
        } catch (IOException e) {
            throw new NetstringException(Error.EOF);
        }
    }

    /** Reads one netstring of at most {@code limit} bytes. */
    static byte[] read(TimedChannel in, int limit) throws NetstringException {
        try {
            int len = 0;
            while (true) {
                int ch = in.read();
                if (ch == ':') break;
                if (ch < '0' || ch > '9') throw new NetstringException(Error.FORMAT);
                int digit = ch - '0';
                if (len > (Integer.MAX_VALUE - digit) / 10) throw new NetstringException(Error.SIZE);
                len = len * 10 + digit;
            }
            if (len > limit) throw new NetstringException(Error.SIZE);
            byte[] data = in.read(len);
            int terminator;
            try {
                terminator = in.read();
            } catch (IOException e) {
                terminator = -1; // Postfix: a missing ',' is a format error, whatever the reason
            }
            if (terminator != ',') throw new NetstringException(Error.FORMAT);
            return data;
        } catch (NetstringException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw new NetstringException(Error.TIME);
        } catch (IOException e) {
            throw new NetstringException(Error.EOF);
        }
    }
}
