package org.proxymap.daemon;

/**
 * Run in a JVM of its own by {@link JournalLoggingTest}: loads the daemon's class (which
 * routes java.util.logging into log4j), then logs one line through log4j and one through
 * java.util.logging, as the MariaDB driver does.
 */
public final class LogProbe {
    private LogProbe() {}

    public static void main(String[] args) throws Exception {
        Class.forName(ProxymapDaemon.class.getName());
        org.apache.logging.log4j.LogManager.getLogger("proxymap").warn("probe through log4j");
        java.util.logging.Logger.getLogger("org.mariadb.jdbc.client").severe("probe through java.util.logging");
        org.apache.logging.log4j.LogManager.shutdown();
    }
}
