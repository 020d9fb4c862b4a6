package org.proxymap.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.configuration2.BaseConfiguration;
import org.apache.commons.configuration2.FileBasedConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * A Postfix {@code main.cf}-syntax file as a commons-configuration2 configuration.
 *
 * <p>Syntax as postconf(5) and Postfix's {@code readllines()}/{@code split_nameval()}, checked
 * against postconf 3.7: {@code name = value}; a line whose first non-whitespace character
 * is {@code #} is a comment, and comment and blank lines do not end a continuation; a line
 * starting with whitespace continues the previous one (its text is appended as is); such a
 * line before any parameter is ignored with a warning; the name is everything up to
 * whitespace or '='; whitespace around the name and at both ends of the value is dropped;
 * the last assignment of a name wins (with a warning, as postconf gives). Values are stored unexpanded (see {@link Expander}),
 * exactly one string per name (list and escape handling of stock
 * {@code PropertiesConfiguration} does not apply to main.cf). The line of each assignment
 * is kept for error messages.
 */
public final class MainCf extends BaseConfiguration implements FileBasedConfiguration {
    private final Map<String, Integer> lines = new LinkedHashMap<>();
    private final java.util.List<String> warnings = new java.util.ArrayList<>();
    private String fileName = "main.cf";

    public MainCf() {
        setListDelimiterHandler(org.apache.commons.configuration2.convert.DisabledListDelimiterHandler.INSTANCE);
    }

    /** Names this file in messages ({@code /etc/postfix/main.cf, line 12: ...}). */
    public MainCf fileName(String name) {
        this.fileName = name;
        return this;
    }

    public String fileName() { return fileName; }

    /** The line of the (last) assignment of {@code name}, or 0. */
    public int line(String name) { return lines.getOrDefault(name, 0); }

    /** {@code file, line N} of {@code name}'s assignment, for messages. */
    public String where(String name) { return fileName + ", line " + line(name); }

    /** Raw (unexpanded) value, or null when the file does not set it. */
    public String raw(String name) {
        Object v = getProperty(name);
        return v == null ? null : v.toString();
    }

    /** Non-fatal findings while reading (ignored lines, repeated names), with file and line. */
    public java.util.List<String> warnings() { return warnings; }

    /** Every name set in the file, in first-assignment order. */
    public Iterable<String> names() { return lines.keySet(); }

    @Override
    public void read(Reader in) throws ConfigurationException, IOException {
        BufferedReader r = new BufferedReader(in);
        StringBuilder logical = null;
        int start = 0;
        int number = 0;
        String line;
        while ((line = r.readLine()) != null) {
            number++;
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.charAt(0) == '#') continue;
            if (Character.isWhitespace(line.charAt(0))) {
                if (logical == null) { // postconf: "logical line must not start with whitespace", ignored
                    warnings.add(fileName + ", line " + number + ": logical line must not start with whitespace: \""
                            + line + "\"; ignored (remove the leading whitespace)");
                    continue;
                }
                logical.append(line);
                continue;
            }
            if (logical != null) assign(logical.toString(), start);
            logical = new StringBuilder(line);
            start = number;
        }
        if (logical != null) assign(logical.toString(), start);
    }

    private void assign(String text, int number) throws ConfigurationException {
        text = text.strip();
        int end = 0;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '=') end++;
        String name = text.substring(0, end);
        int eq = end;
        while (eq < text.length() && Character.isWhitespace(text.charAt(eq))) eq++;
        if (name.isEmpty()) {
            throw new ConfigurationException(fileName + ", line " + number + ": missing attribute name: \"" + text
                    + "\"; write name = value");
        }
        if (eq >= text.length() || text.charAt(eq) != '=') {
            throw new ConfigurationException(fileName + ", line " + number + ": missing '=' after attribute name: \""
                    + text + "\"; write name = value");
        }
        String value = text.substring(eq + 1).strip();
        if (lines.containsKey(name)) {
            warnings.add(fileName + ", line " + number + ": overriding earlier entry: " + name + "=" + raw(name)
                    + " (line " + lines.get(name) + ")");
        }
        setProperty(name, value);
        lines.remove(name);
        lines.put(name, number);
    }

    @Override
    public void write(Writer out) throws IOException {
        for (String name : lines.keySet()) out.write(name + " = " + raw(name) + "\n");
    }
}
