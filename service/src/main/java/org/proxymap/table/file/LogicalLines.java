package org.proxymap.table.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Postfix's {@code readllines()}: a logical line starts with non-whitespace text, and a
 * line that starts with whitespace continues it; blank lines and lines whose first
 * non-whitespace character is {@code #} are skipped. Text is ISO-8859-1 decoded bytes.
 */
public final class LogicalLines {
    private LogicalLines() {}

    /** A logical line and the physical line number it started on (for file:line messages). */
    public record Line(int number, String text) {}

    public static List<Line> read(Path file) throws IOException {
        return parse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
    }

    public static List<Line> parse(String content) {
        List<Line> out = new ArrayList<>();
        StringBuilder cur = null;
        int start = 0;
        int number = 0;
        for (String raw : content.split("\n", -1)) {
            number++;
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.charAt(0) == '#') continue;
            if (Character.isWhitespace(line.charAt(0)) && cur != null) {
                cur.append(' ').append(stripped);
            } else {
                if (cur != null) out.add(new Line(start, cur.toString()));
                cur = new StringBuilder(stripped);
                start = number;
            }
        }
        if (cur != null) out.add(new Line(start, cur.toString()));
        return out;
    }
}
