package org.proxymap.table.sql;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Collects the formatted log lines of the whole process while open. */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
    private static final AtomicInteger ids = new AtomicInteger();
    final List<String> lines = new CopyOnWriteArrayList<>();

    public LogCapture() {
        super("capture-" + ids.incrementAndGet(), null, null, true, Property.EMPTY_ARRAY);
        start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().addAppender(this, null, null);
        ctx.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
    }

    public long count(String substring) { return lines.stream().filter(l -> l.contains(substring)).count(); }

    public String all() { return String.join("\n", lines); }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(getName());
        ctx.updateLoggers();
        stop();
    }
}
