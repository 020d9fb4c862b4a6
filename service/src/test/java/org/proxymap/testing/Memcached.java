package org.proxymap.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway memcached (Debian's package) on a free loopback port, as {@code nobody}
 * when run as root; {@link #close()} stops it. Also a raw client for setting up and
 * inspecting what a table stored.
 */
public final class Memcached implements AutoCloseable {
    public static final String BINARY = "/usr/bin/memcached";
    public final int port;
    private final Process process;

    private Memcached(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    public static Memcached start() throws IOException, InterruptedException {
        Require.executable(BINARY);
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(BINARY, "-u", "nobody", "-l", "127.0.0.1", "-p", Integer.toString(port), "-U", "0",
                    "-m", "64", "-c", "256").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline && p.isAlive()) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new Memcached(port, p);
                } catch (IOException e) {
                    last = e;
                    Thread.sleep(20);
                }
            }
            p.destroyForcibly().waitFor();
        }
        throw new IOException("memcached did not start: " + last);
    }

    /** A memcached listening only on the UNIX socket {@code socket} (port -1 here). */
    public static Memcached startUnix(java.nio.file.Path socket) throws IOException, InterruptedException {
        Require.executable(BINARY);
        Process p = new ProcessBuilder(BINARY, "-u", "nobody", "-s", socket.toString(), "-a", "0666", "-m", "16")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (java.nio.file.Files.exists(socket)) return new Memcached(-1, p);
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor();
        throw new IOException("memcached did not make " + socket);
    }

    /** {@code inet:127.0.0.1:PORT}, as a memcache_table(5) {@code memcache} value. */
    public String endpoint() { return "inet:127.0.0.1:" + port; }

    /** Sends {@code command} (CRLF added) and returns the reply up to and including {@code END}/one status line. */
    public String call(String command) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                sb.append((char) c);
                String r = sb.toString();
                if (r.endsWith("END\r\n") || r.equals("STORED\r\n") || r.equals("DELETED\r\n") || r.equals("NOT_FOUND\r\n")
                        || r.endsWith("ERROR\r\n") || r.equals("OK\r\n")) {
                    return r;
                }
            }
            return sb.toString();
        }
    }

    /** The stored value of {@code key}, or null. */
    public String get(String key) throws IOException {
        String r = call("get " + key);
        if (r.equals("END\r\n")) return null;
        int nl = r.indexOf("\r\n");
        return r.substring(nl + 2, r.length() - "\r\nEND\r\n".length());
    }

    public void set(String key, String value) throws IOException {
        String r = call("set " + key + " 0 0 " + value.length() + "\r\n" + value);
        if (!r.equals("STORED\r\n")) throw new IOException("set " + key + ": " + r);
    }

    public void flush() throws IOException { call("flush_all"); }

    /**
     * Deletes {@code delete} and stores {@code set} over one connection, reading each reply
     * (faster and more exact than flush_all, which also drops items set later in the same second).
     */
    public void reset(Iterable<String> delete, java.util.Map<String, String> set) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream());
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            int n = 0;
            for (String k : delete) {
                out.write(("delete " + k + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                n++;
            }
            for (var e : set.entrySet()) {
                out.write(("set " + e.getKey() + " 0 0 " + e.getValue().length() + "\r\n" + e.getValue() + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                n++;
            }
            out.flush();
            for (int i = 0; i < n; i++) {
                String r = in.readLine();
                if (r == null || !(r.equals("DELETED") || r.equals("NOT_FOUND") || r.equals("STORED"))) {
                    throw new IOException("reset: reply " + r);
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
