package org.proxymap.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.api.Test;

/**
 * Client bytes end up in log lines (table names, keys, attribute names): a newline or an
 * escape sequence in them must not forge a second log line or drive a terminal. The
 * built-in layout turns every control character into '?', as Postfix's logging does.
 */
class LogInjectionTest {
    @Test
    void controlCharactersFromClientsCannotForgeLogLines() {
        check((LoggerContext) LogManager.getContext(false));
    }

    /** The same for etc/log4j2.xml, the configuration operators copy (journald + syslog). */
    @Test
    void alsoInTheShippedLoggingConfiguration() {
        java.nio.file.Path xml = java.nio.file.Path.of(System.getProperty("proxymap.project.dir", ".."), "etc/log4j2.xml");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(xml), "no etc/log4j2.xml in this tree");
        LoggerContext ctx = new LoggerContext("log-injection-test", null, xml.toUri());
        try {
            ctx.start();
            check(ctx);
        } finally {
            ctx.stop();
        }
    }

    private static void check(LoggerContext ctx) {
        var appender = ctx.getConfiguration().getAppender("stdout");
        var event = Log4jLogEvent.newBuilder().setLoggerName("proxymap").setLevel(Level.WARN)
                .setMessage(new ParameterizedMessage("unrecognized request: \"{}\", ignored",
                        "x\nNov 25 01:00:00.000 proxymap[1]: info: forged\r\u001b[2J\u0000"))
                .build();
        String line = appender.getLayout().toSerializable(event).toString();
        assertEquals(1, line.chars().filter(c -> c == '\n').count(), line);
        assertTrue(line.endsWith("\n"), line);
        assertTrue(line.contains("\"x?Nov 25 01:00:00.000 proxymap[1]: info: forged??[2J?\", ignored"), line);
    }
}
