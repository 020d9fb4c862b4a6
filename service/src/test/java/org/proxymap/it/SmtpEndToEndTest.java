package org.proxymap.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.proxymap.table.sql.TestDb;
import org.proxymap.testing.Require;
import org.proxymap.testing.TestServer;
import org.proxymap.testing.Trees;

/**
 * A whole private Postfix 3.7 (Debian's) delivering mail: smtpd on a free loopback port,
 * cleanup, trivial-rewrite, qmgr and virtual(8) into Maildirs under a temp directory, every
 * table {@code proxy:} (mysql on the suite's throwaway MariaDB, texthash with mixed-case and
 * case-duplicate keys, regexp, pcre, cidr, header_checks). The same 200 messages, over 8
 * parallel SMTP connections, to valid, aliased, unknown, relay-denied and rejected recipients
 * and from accepted and rejected senders, go through it three times:
 * <ol>
 *   <li>with Postfix's own proxymap (the reference); then the old switch-over order (reload,
 *       then ours) is shown to stall a message for mail_connect_wait, and undone;
 *   <li>with ours, after the switch-over in README's order (stop Postfix, start ours, start
 *       Postfix), whose delivery stall is measured: every SMTP reply and every delivered
 *       file must equal the reference's;
 *   <li>with ours stopped for a few seconds in the middle: nothing lost, nothing bounced,
 *       the queue drains, replies and files as in 2.
 * </ol>
 * What is normalised, because it must differ between runs: the queue id in
 * {@code 250 ... queued as ID}, and in each {@code Received:} header the queue id
 * ({@code id ID}) and the date after its ';'. The messages carry their own Date and
 * Message-ID, the Maildir file names (time, inode) are not compared, only the mailbox a
 * file is in and its contents.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SmtpEndToEndTest {
    private static final int MESSAGES = 200;
    private static final int CONNECTIONS = 8;
    /** Postfix's clients sleep this long when the proxymap socket is missing (mail_connect_wait, fixed in 3.7). */
    private static final long MAIL_CONNECT_WAIT_MILLIS = 10_000;
    private static final Pattern QUEUED_AS = Pattern.compile("queued as [0-9A-Za-z]+");
    private static final Pattern RECEIVED_ID = Pattern.compile("\\bid [0-9A-Za-z]+");
    private static final Pattern RECEIVED_DATE = Pattern.compile(";[^;]*$");

    private static PostfixReference postfix;
    private static volatile TestServer ours;
    private static TestDb db;
    private static String database;
    private static int smtpPort;
    private static Path mail;
    private static Run reference;
    private static Run oursRun;
    /** A probe's delivery time right after Postfix started with its own proxymap. */
    private static long baselineMillis;

    /** One pass of the workload: replies per connection and message, delivered files (mailbox + contents, counted). */
    record Run(Map<String, String> replies, Map<String, Integer> files, String log) {}

    @BeforeAll
    static void start() throws Exception {
        Require.that(PostfixReference.available(), "root and Debian's postfix (/usr/sbin/postfix, /usr/sbin/postmap)");
        db = TestDb.shared();
        database = "e2e_" + ProcessHandle.current().pid();
        db.sql(database,
                "CREATE TABLE virtual_aliases (address VARCHAR(255) PRIMARY KEY, goto TEXT NOT NULL)",
                "INSERT INTO virtual_aliases VALUES ('sales@example.net', 'alice@example.com, bob@example.com'),"
                        + " ('team@example.net', 'carol@example.net'), ('webmaster@example.com', 'dup@example.com')");
        try (ServerSocket s = new ServerSocket(0)) {
            smtpPort = s.getLocalPort();
        }
        postfix = PostfixReference.create("", masterCf(true));
        Path etc = postfix.etc;
        mail = postfix.dir.resolve("mail");
        Files.createDirectories(mail);
        PostfixReference.exec(10, "chown", "nobody:nogroup", mail.toString());
        String uid = PostfixReference.exec(10, "id", "-u", "nobody").strip();
        String gid = PostfixReference.exec(10, "id", "-g", "nobody").strip();
        Files.writeString(etc.resolve("mysql-aliases.cf"), db.cf(database,
                "query = SELECT goto FROM virtual_aliases WHERE address = '%s'"));
        Files.writeString(etc.resolve("mynetworks.cidr"), "10.0.0.0/8 OK\n");
        Files.writeString(etc.resolve("domains.regexp"), "/^example\\.(com|net)$/ OK\n");
        // mixed case and two keys differing only in case: Postfix 3.7's client folds the key,
        // its proxymap does not fold the file's keys
        Files.writeString(etc.resolve("vmailbox"), """
                alice@example.com example.com/alice/
                bob@example.com example.com/bob/
                carol@example.net example.net/carol/
                Support@Example.com example.com/support/
                Dup@Example.com example.com/dup-upper/
                dup@example.com example.com/dup-lower/
                """);
        Files.writeString(etc.resolve("valias"), "info@example.com alice@example.com\n");
        Files.writeString(etc.resolve("clients.cidr"), "127.0.0.1 PREPEND X-Client-Class: loopback\n");
        Files.writeString(etc.resolve("senders.regexp"), "/^spammer@/ REJECT Sender refused by policy\n");
        Files.writeString(etc.resolve("recipients.pcre"), "/^blocked@/ REJECT Mailbox disabled\n");
        Files.writeString(etc.resolve("header_checks.pcre"), """
                /^Subject:.*reject-me/ REJECT Subject refused
                /^Subject:.*tag-me/ PREPEND X-Tagged: yes
                """);
        Files.writeString(etc.resolve("main.cf"), Files.readString(etc.resolve("main.cf")) + """
                # a whole mail system on 127.0.0.1:%2$d, every table proxy:
                alias_maps =
                alias_database =
                mynetworks = proxy:cidr:%1$s/mynetworks.cidr
                virtual_mailbox_domains = proxy:regexp:%1$s/domains.regexp
                virtual_mailbox_maps = proxy:texthash:%1$s/vmailbox
                virtual_alias_maps = proxy:texthash:%1$s/valias, proxy:mysql:%1$s/mysql-aliases.cf
                virtual_mailbox_base = %3$s
                virtual_uid_maps = static:%4$s
                virtual_gid_maps = static:%5$s
                smtpd_client_restrictions = check_client_access proxy:cidr:%1$s/clients.cidr
                smtpd_sender_restrictions = check_sender_access proxy:regexp:%1$s/senders.regexp
                smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
                smtpd_recipient_restrictions = check_recipient_access proxy:pcre:%1$s/recipients.pcre
                header_checks = proxy:pcre:%1$s/header_checks.pcre
                # fast: no error sleeps or in-flow delay, quick retries of deferred mail
                smtpd_error_sleep_time = 0
                smtpd_soft_error_limit = 1000
                smtpd_hard_error_limit = 1000
                in_flow_delay = 0
                queue_run_delay = 1s
                minimal_backoff_time = 1s
                maximal_backoff_time = 2s
                # nothing leaves this machine: a bounce to a remote sender shows up in the log
                default_transport = error:remote delivery is off in this test
                biff = no
                """.formatted(etc, smtpPort, mail, uid, gid));
        postfix.start();
        baselineMillis = probe("baseline");
    }

    /** master.cf of the mail system, with or without Postfix's own proxymap and proxywrite. */
    private static String masterCf(boolean postfixProxymap) {
        return smtpPort + """
                      inet  n       -       n       -       -       smtpd
                flush     unix  n       -       n       1000?   0       flush
                showq     unix  n       -       n       -       -       showq
                """ + PostfixReference.MAIL_SYSTEM + (postfixProxymap ? """
                proxymap  unix  -       -       n       -       -       proxymap
                proxywrite unix -       -       n       -       1       proxymap
                """ : "");
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) postfix.stop();
        if (ours != null) ours.close();
        if (postfix != null) postfix.close();
        if (db != null) db.sql(database, "DROP DATABASE `" + database + "`");
    }

    @Test
    @Order(1)
    void referenceRunThroughPostfixsOwnProxymap() throws Exception {
        reference = run(null);
        assertNothingBounced(reference);
        int accepted = count(reference.replies().values(), "queued as");
        assertTrue(accepted > MESSAGES / 2, "most messages accepted: " + accepted);
        assertTrue(count(reference.replies().values(), "550 5.1.1") > 0, "unknown recipients rejected");
        assertTrue(count(reference.replies().values(), "Relay access denied") > 0, "relay denied");
        assertTrue(count(reference.replies().values(), "Sender address rejected") > 0, "sender rejected");
        assertTrue(count(reference.replies().values(), "Mailbox disabled") > 0, "recipient rejected");
        assertTrue(count(reference.replies().values(), "Subject refused") > 0, "header_checks rejected");
        assertTrue(reference.files().keySet().stream().anyMatch(f -> f.contains("X-Tagged: yes")), "header_checks PREPEND");
        assertTrue(reference.files().keySet().stream().anyMatch(f -> f.startsWith("example.net/carol/")), "mysql alias");
        // what Postfix 3.7 does with the case-dependent keys, which ours must then match
        assertTrue(reference.replies().values().stream().anyMatch(r -> r.contains("<support@example.com>: Recipient address rejected")),
                "support@example.com unknown");
        assertTrue(reference.files().keySet().stream().anyMatch(f -> f.startsWith("example.com/dup-lower/")), "dup-lower");
        assertTrue(reference.files().keySet().stream().noneMatch(f -> f.startsWith("example.com/dup-upper/")
                || f.startsWith("example.com/support/")), "no mail for dup-upper or support");
        System.out.printf("e2e: reference: %d messages, %d SMTP replies, %d delivered files%n", MESSAGES,
                replyCount(reference), reference.files().values().stream().mapToInt(Integer::intValue).sum());
    }

    /**
     * The order README gave before: master.cf edited, {@code postfix reload}, ours started (1 s
     * later here). A message sent right after the reload waits at least mail_connect_wait: its
     * smtpd finds no proxymap and sleeps. Then back to Postfix's own proxymap.
     */
    @Test
    @Order(2)
    void oldOrderReloadThenStartStallsMail() throws Exception {
        int logStart = postfix.log().length();
        Files.writeString(postfix.etc.resolve("master.cf"), masterCf(false));
        postfix.postfix("reload");
        Thread starter = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(1_000);
                ours = TestServer.start(postfix.dir);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            long stall = probe("old-order");
            String log = postfix.log().substring(logStart);
            System.out.printf("e2e: old order (reload, ours 1 s later): a probe sent after the reload delivered in %d ms%n", stall);
            assertTrue(log.contains("to subsystem private/proxymap"), "no client missed the socket:\n" + log);
            assertTrue(stall >= MAIL_CONNECT_WAIT_MILLIS, "stall " + stall + " ms");
        } finally {
            starter.join();
            if (ours != null) ours.close();
            ours = null;
            Files.writeString(postfix.etc.resolve("master.cf"), masterCf(true));
            postfix.postfix("reload");
        }
    }

    /**
     * README's switch-over: stop Postfix, take proxymap and proxywrite out of master.cf, start
     * ours, start Postfix. Nothing may wait for a missing socket, so a message sent as soon as
     * smtpd answers is delivered well within mail_connect_wait.
     */
    @Test
    @Order(3)
    void switchOverInReadmeOrderDoesNotStallMail() throws Exception {
        int logStart = postfix.log().length();
        long t0 = System.nanoTime();
        postfix.stop();
        long stopped = System.nanoTime();
        Files.writeString(postfix.etc.resolve("master.cf"), masterCf(false));
        ours = TestServer.start(postfix.dir);
        long oursUp = System.nanoTime();
        postfix.start();
        System.out.printf("e2e: switch-over: postfix stop %d ms, ours started %d ms, postfix start %d ms%n",
                (stopped - t0) / 1_000_000, (oursUp - stopped) / 1_000_000, (System.nanoTime() - oursUp) / 1_000_000);
        long stall = probe("switch-over");
        System.out.printf("e2e: switch-over: Postfix stopped to probe delivered %d ms; a probe sent once postfix start"
                + " returned delivered in %d ms (with Postfix's own proxymap after its start: %d ms)%n",
                (System.nanoTime() - t0) / 1_000_000, stall, baselineMillis);
        String log = postfix.log().substring(logStart);
        // the cause of a stall: a client that found no proxymap ("connect #1 to subsystem private/proxymap: ...")
        assertFalse(log.contains("private/proxymap"), "a Postfix client missed the proxymap socket:\n" + log);
        assertTrue(stall < MAIL_CONNECT_WAIT_MILLIS / 2, "delivery stalled " + stall + " ms after the switch-over; log:\n" + log);
    }

    /**
     * Sends one message to alice as soon as smtpd answers (master may still be starting) and
     * returns the milliseconds until it is in her Maildir.
     */
    private static long probe(String name) throws Exception {
        clearMail();
        long start = System.nanoTime();
        try (SmtpSession s = connect()) {
            s.command("EHLO client.example");
            s.command("MAIL FROM:<sender@client.example>");
            assertEquals("250 2.1.5 Ok", s.command("RCPT TO:<alice@example.com>"));
            s.command("DATA");
            String reply = s.message("Subject: " + name + " probe\nMessage-ID: <" + name + "@client.example>\n\nprobe\n");
            assertTrue(reply.startsWith("250 "), reply);
        }
        Path delivered = mail.resolve("example.com/alice/new");
        while (!hasFile(delivered)) {
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(3 * MAIL_CONNECT_WAIT_MILLIS),
                    name + " probe not delivered; log:\n" + postfix.log());
            Thread.sleep(10);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    @Order(4)
    void oursGivesEveryReplyAndFileAsPostfixsOwn() throws Exception {
        oursRun = run(null);
        assertSame("SMTP replies", reference.replies(), oursRun.replies());
        assertSame("delivered files", reference.files(), oursRun.files());
        assertNothingBounced(oursRun);
    }

    /** Ours stopped for 3 s while 8 clients send: their lookups wait, nothing is lost or bounced. */
    @Test
    @Order(5)
    void oursStoppedMidRunLosesAndBouncesNothing() throws Exception {
        Run outage = run(sent -> {
            if (sent == MESSAGES / 3) {
                ours.close();
                Thread.sleep(3_000);
                ours = TestServer.start(postfix.dir);
            }
        });
        assertNothingBounced(outage);
        assertSame("SMTP replies with an outage", oursRun.replies(), outage.replies());
        assertSame("delivered files with an outage", oursRun.files(), outage.files());
        List<String> waits = outage.log().lines().filter(l -> l.contains("private/proxymap")).toList();
        System.out.printf("e2e: outage run: %d deferrals, %d log lines of clients waiting for the proxymap socket:%n%s%n",
                count(outage.log().lines().toList(), "status=deferred"), waits.size(), String.join("\n", waits));
        assertFalse(waits.isEmpty(), "the outage reached no Postfix client:\n" + outage.log());
    }

    /** Called once after each message with the number sent so far, on the sending thread. */
    interface Progress {
        void sent(int count) throws Exception;
    }

    /** Sends the workload, waits until the queue is empty, collects replies, files and the log of this run. */
    private static Run run(Progress progress) throws Exception {
        clearMail();
        int logStart = postfix.log().length();
        AtomicInteger sent = new AtomicInteger();
        Map<String, String> replies = new TreeMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<Map<String, String>>> sessions = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                int connection = c;
                sessions.add(pool.submit(() -> session(connection, sent, progress)));
            }
            for (Future<Map<String, String>> f : sessions) replies.putAll(f.get(120, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        awaitEmptyQueue();
        return new Run(replies, files(), postfix.log().substring(logStart));
    }

    /** One SMTP connection sending messages connection, connection + CONNECTIONS, ...; replies by name. */
    private static Map<String, String> session(int connection, AtomicInteger sent, Progress progress) throws Exception {
        Map<String, String> replies = new TreeMap<>();
        try (SmtpSession s = connect()) {
            String name = "connection %d ".formatted(connection);
            replies.put(name + "greeting", s.greeting);
            replies.put(name + "EHLO", s.command("EHLO client.example"));
            for (int i = connection; i < MESSAGES; i += CONNECTIONS) {
                replies.put("message %03d".formatted(i), transaction(s, i));
                if (progress != null) progress.sent(sent.incrementAndGet());
            }
            replies.put(name + "QUIT", s.command("QUIT"));
        }
        return replies;
    }

    /**
     * Among them, three whose answer depends on how the server opens the table (Postfix 3.7's
     * client folds the key, its proxymap does not fold the file's keys): support@example.com
     * (the key is Support@Example.com) is unknown, Dup@Example.com and webmaster@ (aliased to
     * dup@) go to dup-lower/, the second of two keys that differ only in case.
     */
    private static final List<String> RECIPIENTS = List.of(
            "alice@example.com", "info@example.com", "nobody@example.com", "sales@example.net", "someone@elsewhere.org",
            "bob@example.com", "blocked@example.com", "team@example.net", "ghost@example.net", "carol@example.net",
            "BOB@EXAMPLE.COM", "support@example.com", "Dup@Example.com", "webmaster@example.com");

    /** Message i: its sender, 1 to 4 recipients, subject and text follow from i. Returns the transcript. */
    private static String transaction(SmtpSession s, int i) throws IOException {
        String sender = i % 20 == 7 ? "spammer@bad.example" : "sender" + i % 5 + "@client.example";
        StringBuilder t = new StringBuilder();
        step(t, s, "MAIL FROM:<" + sender + ">");
        boolean any = false;
        for (int k = 0; k <= i % 4; k++) {
            String rcpt = RECIPIENTS.get((i * 5 + k * 3) % RECIPIENTS.size());
            any |= SmtpSession.code(step(t, s, "RCPT TO:<" + rcpt + ">")) == 250;
        }
        if (!any) {
            step(t, s, "RSET");
            return t.toString();
        }
        if (SmtpSession.code(step(t, s, "DATA")) != 354) return t.toString();
        String subject = "message " + i + (i % 11 == 3 ? " reject-me" : "") + (i % 6 == 1 ? " tag-me" : "");
        String text = """
                From: <%s>
                To: <undisclosed-recipients:;>
                Subject: %s
                Date: Thu, 01 Jan 2026 00:00:%02d +0000
                Message-ID: <%d.e2e@client.example>

                Message %d.
                .a line that starts with a dot
                """.formatted(sender, subject, i % 60, i, i);
        t.append("<message> -> ").append(normalisedReply(s.message(text))).append('\n');
        return t.toString();
    }

    private static String step(StringBuilder transcript, SmtpSession s, String command) throws IOException {
        String reply = s.command(command);
        transcript.append(command).append(" -> ").append(normalisedReply(reply)).append('\n');
        return reply;
    }

    private static String normalisedReply(String reply) {
        return QUEUED_AS.matcher(reply).replaceAll("queued as QUEUEID");
    }

    /** Connects to smtpd, retrying while master is still starting. */
    private static SmtpSession connect() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return new SmtpSession(smtpPort, 60_000);
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(20);
            }
        }
    }

    /** Waits until no message is in the queue, then checks with postqueue -p. */
    private static void awaitEmptyQueue() throws Exception {
        long start = System.nanoTime();
        long flushed = start;
        Path queue = postfix.dir.resolve("queue");
        while (true) {
            boolean empty = true;
            for (String d : new String[] {"maildrop", "incoming", "active", "deferred", "hold"}) {
                if (hasFile(queue.resolve(d))) empty = false;
            }
            if (empty && postfix.postqueue("-p").contains("Mail queue is empty")) return;
            long now = System.nanoTime();
            if (now - start > TimeUnit.SECONDS.toNanos(60)) {
                fail("queue not empty after 60 s:\n" + postfix.postqueue("-p") + "\nlog:\n" + postfix.log());
            }
            if (hasFile(queue.resolve("deferred")) && now - flushed > TimeUnit.SECONDS.toNanos(1)) {
                postfix.postqueue("-f"); // deferred mail: retry now rather than after its backoff
                flushed = now;
            }
            Thread.sleep(50);
        }
    }

    private static boolean hasFile(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.anyMatch(Files::isRegularFile);
        }
    }

    private static void clearMail() throws IOException {
        try (Stream<Path> list = Files.list(mail)) {
            for (Path p : list.toList()) Trees.delete(p);
        }
    }

    /** Every delivered file as "mailbox/\n" + its normalised contents, counted. */
    private static Map<String, Integer> files() throws IOException {
        Map<String, Integer> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(mail)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                Path maildir = mail.relativize(p.getParent().getParent());
                String key = maildir + "/\n" + normalisedMessage(Files.readString(p));
                files.merge(key, 1, Integer::sum);
            }
        }
        return files;
    }

    /** The queue id and date of each Received: header replaced; everything else as delivered. */
    private static String normalisedMessage(String message) {
        int end = message.indexOf("\n\n");
        String header = end < 0 ? message : message.substring(0, end);
        StringBuilder out = new StringBuilder();
        for (String field : header.split("\n(?![ \t])")) {
            if (field.startsWith("Received:")) {
                field = RECEIVED_ID.matcher(field).replaceAll("id QUEUEID");
                field = RECEIVED_DATE.matcher(field).replaceAll("; DATE");
            }
            out.append(field).append('\n');
        }
        return out + (end < 0 ? "" : message.substring(end + 1));
    }

    private static void assertSame(String what, Map<String, ?> expected, Map<String, ?> actual) {
        List<String> differences = new ArrayList<>();
        for (String k : expected.keySet()) {
            if (!java.util.Objects.equals(expected.get(k), actual.get(k))) {
                differences.add(k + "\n  expected: " + expected.get(k) + "\n  got: " + actual.get(k));
            }
        }
        for (String k : actual.keySet()) {
            if (!expected.containsKey(k)) differences.add(k + "\n  expected: none\n  got: " + actual.get(k));
        }
        if (!differences.isEmpty()) {
            fail(what + ": " + differences.size() + " of " + expected.size() + " differ:\n"
                    + String.join("\n", differences.subList(0, Math.min(12, differences.size()))));
        }
    }

    /** No bounce, no fatal error or panic of a Postfix process in the run's log. */
    private static void assertNothingBounced(Run run) {
        List<String> bad = run.log().lines().filter(l -> l.contains("status=bounced") || l.contains("fatal:") || l.contains("panic:")).toList();
        assertTrue(bad.isEmpty(), bad.size() + " bounces or fatal errors:\n" + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
    }

    private static int count(java.util.Collection<String> values, String part) {
        int n = 0;
        for (String v : values) {
            for (int at = v.indexOf(part); at >= 0; at = v.indexOf(part, at + 1)) n++;
        }
        return n;
    }

    /** SMTP replies in a run: one a line in a message's transcript, one an entry for greeting, EHLO, QUIT. */
    private static int replyCount(Run run) {
        return run.replies().entrySet().stream()
                .mapToInt(e -> e.getKey().startsWith("message") ? (int) e.getValue().lines().count() : 1).sum();
    }
}
