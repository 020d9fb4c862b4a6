package org.proxymap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;

/** etc/log4j2.xml (the journald + syslog configuration operators copy) against a real UDP receiver. */
class LoggingConfigTest {
    @Test
    void syslogAppenderSendsPostfixStyleLinesWithMailFacility() throws Exception {
        Path xml = Path.of(System.getProperty("proxymap.project.dir", ".."), "etc/log4j2.xml");
        try (DatagramSocket syslogd = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            syslogd.setSoTimeout(5000);
            System.setProperty("proxymap.syslog.port", Integer.toString(syslogd.getLocalPort()));
            LoggerContext ctx = new LoggerContext("syslog-test", null, xml.toUri());
            try {
                ctx.start();
                Logger log = ctx.getLogger("proxymap");
                log.warn("table mysql:/etc/postfix/x.cf: {}", "connection refused\nretrying");
                log.error("second");
                String first = receive(syslogd);
                assertTrue(first.matches("<20>proxymap\\[\\d+\\]: warning: table mysql:/etc/postfix/x.cf: connection refused retrying"),
                        first);
                assertEquals("<19>proxymap[" + ProcessHandle.current().pid() + "]: error: second", receive(syslogd));
            } finally {
                ctx.stop();
                System.clearProperty("proxymap.syslog.port");
            }
        }
    }

    private static String receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }
}
