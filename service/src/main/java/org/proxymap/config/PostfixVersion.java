package org.proxymap.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Postfix version whose proxymap this service stands in for: it decides the allow-list
 * rules ({@link AllowList.Rules}) and the built-in default of {@code proxy_read_maps}. Set
 * with {@code proxymap_postfix_version}, or {@code auto}: what the installed Postfix says
 * ({@code postconf -d -h mail_version}), re-asked only when that program changes.
 *
 * @param major e.g. 3
 * @param minor e.g. 11
 */
public record PostfixVersion(int major, int minor, String text) {
    /** What this service follows when no Postfix is installed to ask (Debian 12's). */
    public static final PostfixVersion FALLBACK = new PostfixVersion(3, 7, "3.7.11");

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:[.-][0-9A-Za-z.-]*)?");
    private static final Path[] POSTCONF = {Path.of("/usr/sbin/postconf"), Path.of("/usr/local/sbin/postconf")};

    /** {@code 3.11.6}, {@code 3.12-20260821}, {@code 3.7}; null when {@code text} is not a version. */
    public static PostfixVersion parse(String text) {
        if (text == null) return null;
        Matcher m = VERSION.matcher(text.strip());
        if (!m.matches()) return null;
        return new PostfixVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), text.strip());
    }

    public boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    /** Postfix 3.11 changed the allow-list ({@code /file/name} contents, restriction classes, longer default). */
    public boolean allowList311() { return atLeast(3, 11); }

    @Override
    public String toString() { return text; }

    private record Detected(Path program, FileTime modified, PostfixVersion version, String problem) {}

    private static volatile Detected last;

    /**
     * The installed Postfix's version, or {@link #FALLBACK} with {@code problem} telling why
     * (no postconf, or it failed).
     */
    public static Detection detect() {
        Path program = null;
        for (Path p : POSTCONF) {
            if (Files.isExecutable(p)) {
                program = p;
                break;
            }
        }
        if (program == null) {
            return new Detection(FALLBACK, "no postconf in /usr/sbin or /usr/local/sbin to ask for the Postfix version; "
                    + "following Postfix " + FALLBACK + " (set proxymap_postfix_version to choose)");
        }
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(program);
        } catch (IOException e) {
            modified = FileTime.fromMillis(0);
        }
        Detected d = last;
        if (d == null || !d.program.equals(program) || !d.modified.equals(modified)) {
            d = ask(program, modified);
            last = d;
        }
        return new Detection(d.version, d.problem);
    }

    /** A detected version, and why it is the fallback when it is. */
    public record Detection(PostfixVersion version, String problem) {}

    private static Detected ask(Path program, FileTime modified) {
        try {
            Process p = new ProcessBuilder(program.toString(), "-d", "-h", "mail_version")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Detected(program, modified, FALLBACK, program + " -d -h mail_version did not answer; following Postfix "
                        + FALLBACK + " (set proxymap_postfix_version to choose)");
            }
            PostfixVersion v = parse(new String(out, StandardCharsets.ISO_8859_1));
            if (v != null) return new Detected(program, modified, v, null);
            return new Detected(program, modified, FALLBACK, program + " -d -h mail_version printed no version; following Postfix "
                    + FALLBACK + " (set proxymap_postfix_version to choose)");
        } catch (IOException e) {
            return new Detected(program, modified, FALLBACK, program + ": " + e.getMessage() + "; following Postfix " + FALLBACK);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Detected(program, modified, FALLBACK, "interrupted asking " + program + " for the Postfix version");
        }
    }
}
