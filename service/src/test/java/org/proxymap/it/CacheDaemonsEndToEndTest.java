package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;

/**
 * Real Postfix 3.7 daemons (Debian's verify(8) and postscreen(8)) keeping their caches on
 * {@code proxy:btree:} through OUR proxywrite, as POSTSCREEN_README and
 * ADDRESS_VERIFICATION_README set them up: a private instance with smtpd (with
 * reject_unverified_recipient), verify, virtual(8) for the probes and postscreen, and no
 * proxymap or proxywrite of its own. What the daemons wrote is read back from the btree
 * files with Debian's {@code postmap -s}, and what they read back from the cache decides the
 * next SMTP reply.
 */
class CacheDaemonsEndToEndTest {
    private static final int SECONDS = 60;
    private static PostfixReference postfix;
    private static TestServer ours;
    private static int smtpPort;
    private static int postscreenPort;

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        smtpPort = freePort();
        postscreenPort = freePort();
        postfix = PostfixReference.create("", smtpPort + """
                      inet  n       -       n       -       -       smtpd
                """ + postscreenPort + """
                      inet  n       -       n       -       1       postscreen
                smtpd     pass  -       -       n       -       -       smtpd
                """ + PostfixReference.MAIL_SYSTEM);
        Path etc = postfix.etc;
        Files.writeString(etc.resolve("vmailbox"), "alice@example.com example.com/alice/\n");
        String uid = PostfixReference.exec(10, "id", "-u", "nobody").strip();
        String gid = PostfixReference.exec(10, "id", "-g", "nobody").strip();
        Files.writeString(etc.resolve("main.cf"), Files.readString(etc.resolve("main.cf")) + """
                # both caches on proxy:btree:, written through proxywrite (ours)
                address_verify_map = proxy:btree:$data_directory/verify_cache
                postscreen_cache_map = proxy:btree:$data_directory/postscreen_cache
                proxy_write_maps = $address_verify_map $postscreen_cache_map
                # verify: answer at once (no polling), probe through virtual(8), scan the cache soon
                smtpd_recipient_restrictions = reject_unverified_recipient
                smtpd_reject_unlisted_recipient = no
                unverified_recipient_reject_code = 550
                address_verify_poll_count = 1
                address_verify_cache_cleanup_interval = 2s
                virtual_mailbox_domains = example.com
                virtual_mailbox_maps = texthash:%1$s/vmailbox
                virtual_mailbox_base = %1$s
                virtual_uid_maps = static:%2$s
                virtual_gid_maps = static:%3$s
                queue_run_delay = 1s
                minimal_backoff_time = 1s
                maximal_backoff_time = 2s
                smtpd_error_sleep_time = 0
                # postscreen: no allow-list (127.0.0.1 would skip the tests and the cache), a short greet wait
                postscreen_access_list =
                postscreen_greet_wait = 1s
                alias_maps =
                alias_database =
                biff = no
                """.formatted(etc, uid, gid));
        // Postfix first: master makes queue/private (its own) where ours then binds; the daemons
        // that use the caches start on demand, later
        try {
            postfix.start();
        } catch (java.io.IOException e) {
            throw new java.io.IOException(e.getMessage() + "; log:\n" + postfix.log(), e);
        }
        ours = TestServer.start(postfix.dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) postfix.stop();
        if (ours != null) ours.close();
        if (postfix != null) postfix.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * verify(8): the first RCPT starts a probe (450, the "probe sent" record written through
     * proxywrite); the probe's result (virtual(8): alice deliverable, bob unknown) is written
     * back; the next RCPT is answered from the record read back through proxywrite. The cache
     * scan (sequence through proxywrite) then finds both. postscreen(8): a client that passes
     * the tests is recorded under its address. Both daemons hold their cache open with
     * OPEN_LOCK (an exclusive flock on the file, in the server, as Postfix's proxywrite does),
     * so postmap reads the files once Postfix and ours have stopped.
     */
    @Test
    void verifyAndPostscreenKeepTheirCachesThroughOurProxywrite() throws Exception {
        assertEquals(450, code(rcpt("alice@example.com")), "first RCPT: verification in progress");
        assertEquals(450, code(rcpt("bob@example.com")));
        String alice = awaitReply("alice@example.com", 250);
        String bob = awaitReply("bob@example.com", 550);
        assertTrue(bob.contains("undeliverable address: unknown user"), bob);
        awaitLog(Pattern.compile("verify_cache full cleanup: retained=2 dropped=0"));

        passPostscreen();
        awaitLog(Pattern.compile("PASS NEW \\[127\\.0\\.0\\.1\\]"));
        postfix.stop();
        assertNoProxyErrors();
        ours.close();
        ours = null;

        // the records as real postmap reads them: status:probed:updated:text, status 0 = deliverable, 2 = bounced
        String verify = dump("verify_cache");
        String aliceRecord = record(verify, "alice@example.com");
        assertTrue(aliceRecord.matches("0:\\d+:\\d+:.*delivers to maildir"), aliceRecord + " (reply " + alice + ")");
        assertTrue(record(verify, "bob@example.com").matches("2:\\d+:\\d+:.*unknown user.*"), verify);
        Postmap.Result q = Postmap.run(postfix.etc, null, SECONDS, "-q", "alice@example.com", "btree:" + postfix.dir.resolve("data/verify_cache"));
        assertEquals(aliceRecord, q.stdout().strip());
        // postscreen's record: the time stamps of the tests, semicolon-separated
        assertTrue(record(dump("postscreen_cache"), "127.0.0.1").matches("\\d+(;\\d+)+"), dump("postscreen_cache"));
    }

    /** Connects through postscreen: its "220-" while it waits for a pregreeting, then smtpd's "220 "; QUIT. */
    private static void passPostscreen() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", postscreenPort), 5_000);
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            String line;
            do {
                line = in.readLine();
                assertTrue(line != null && line.startsWith("220"), "greeting: " + line + "\n" + postfix.log());
            } while (line.charAt(3) == '-');
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(in.readLine().startsWith("221"));
        }
    }

    /** {@code postmap -s btree:DATA/NAME}: its output. */
    private static String dump(String name) throws Exception {
        Postmap.Result r = Postmap.run(postfix.etc, null, SECONDS, "-s", "btree:" + postfix.dir.resolve("data").resolve(name));
        assertEquals(0, r.exit(), r.stderr());
        return r.stdout();
    }

    /** One RCPT in a fresh SMTP session to the plain smtpd; its reply. */
    private static String rcpt(String address) throws Exception {
        try (SmtpSession s = new SmtpSession(smtpPort, 30_000)) {
            s.command("EHLO client.example");
            s.command("MAIL FROM:<sender@client.example>");
            String reply = s.command("RCPT TO:<" + address + ">");
            s.command("QUIT");
            return reply;
        }
    }

    private static int code(String reply) { return SmtpSession.code(reply); }

    /** RCPT until the reply code is {@code code} (the probe delivered and its result cached). */
    private static String awaitReply(String address, int code) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        while (true) {
            String reply = rcpt(address);
            if (code(reply) == code) return reply;
            if (System.nanoTime() > deadline) fail(address + ": still " + reply + " after " + SECONDS + " s; log:\n" + postfix.log());
            Thread.sleep(200);
        }
    }

    /** The value of {@code key} in {@code postmap -s} output (key, whitespace, value). */
    private static String record(String dump, String key) {
        return dump.lines().filter(l -> l.startsWith(key + "\t") || l.startsWith(key + " "))
                .map(l -> l.substring(key.length()).strip()).findFirst()
                .orElseThrow(() -> new AssertionError(key + " not in the cache:\n" + dump));
    }

    private static void awaitLog(Pattern text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        while (!text.matcher(postfix.log()).find()) {
            if (System.nanoTime() > deadline) fail("no \"" + text + "\" in the log:\n" + postfix.log());
            Thread.sleep(100);
        }
    }

    /** No Postfix daemon logged a problem with a proxied table, or died. */
    private static void assertNoProxyErrors() throws Exception {
        List<String> bad = postfix.log().lines().filter(l -> l.contains("fatal:") || l.contains("panic:")
                || (l.contains("warning:") && (l.contains("proxy") || l.contains("_cache")))).toList();
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }
}
