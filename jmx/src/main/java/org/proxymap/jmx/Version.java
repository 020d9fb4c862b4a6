package org.proxymap.jmx;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The project's version, for {@code proxymap --version}, {@code proxymapctl --version}, the
 * start log line and JMX. Read from a resource that Maven fills in at build time, so that it
 * is right from the jars and from a build tree alike (the jars' manifests carry it too, as
 * {@code Implementation-Version}).
 */
public final class Version {
    private static final String VERSION = load();

    private Version() {}

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
