package org.proxymap.config;

import java.time.Duration;

/** Postfix's value syntaxes: time with units (s m h d w), integers, booleans, octal modes. */
public final class Values {
    private Values() {}

    /**
     * {@code conv_time()} of Postfix 3.7, as measured with postmap: an optional sign and
     * digits (strtol: leading whitespace allowed, negative refused, int range), then one unit
     * s, m, h, d or w (lower case), or {@code defaultUnit} when none. Like Postfix, text after
     * the unit is ignored ({@code 1h30m} is one hour), so that values Postfix accepts start here too.
     */
    public static Duration time(String value, char defaultUnit) throws IllegalArgumentException {
        String v = value.stripLeading();
        int i = 0;
        if (i < v.length() && (v.charAt(i) == '+' || v.charAt(i) == '-')) i++;
        int digits = i;
        while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') i++;
        if (i == digits || v.charAt(0) == '-') throw new IllegalArgumentException("bad time value \"" + value
                + "\"; use a number with an optional unit s, m, h, d or w, e.g. 10s");
        long n;
        try {
            n = Long.parseLong(v.substring(v.charAt(0) == '+' ? 1 : 0, i));
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE;
        }
        char unit = i < v.length() ? v.charAt(i) : defaultUnit;
        long factor = switch (unit) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3600;
            case 'd' -> 86400;
            case 'w' -> 604800;
            default -> throw new IllegalArgumentException("bad time unit '" + unit + "' in \"" + value
                    + "\"; use s, m, h, d or w (lower case), e.g. 10s");
        };
        if (n > Integer.MAX_VALUE || n * factor > Integer.MAX_VALUE) { // Postfix keeps times in an int
            throw new IllegalArgumentException("time value \"" + value + "\" is too large");
        }
        return Duration.ofSeconds(n * factor);
    }

    public static int integer(String value, int min) throws IllegalArgumentException {
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min) throw new IllegalArgumentException("value " + n + " is less than " + min);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad numerical value \"" + value + "\"; use a whole number");
        }
    }

    /** Sizes and counts as Postfix's {@code mail_conf_long}: a whole number, no unit. */
    public static long longInteger(String value, long min) throws IllegalArgumentException {
        try {
            long n = Long.parseLong(value.strip());
            if (n < min) throw new IllegalArgumentException("value " + n + " is less than " + min);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad numerical value \"" + value + "\"; use a whole number (no unit)");
        }
    }

    /** As Postfix's {@code mail_conf_bool}: yes or no, in any case; nothing else. */
    public static boolean bool(String value) throws IllegalArgumentException {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("bad boolean value \"" + value + "\"; use yes or no");
        };
    }

    public static int octal(String value) throws IllegalArgumentException {
        try {
            return Integer.parseInt(value.strip(), 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad file mode \"" + value + "\"; use octal, e.g. 0666");
        }
    }

    /** A TCP port, or 0 to keep {@code what} off. */
    public static int port(String value, String what) throws IllegalArgumentException {
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > 65535) throw new IllegalArgumentException("expected a TCP port from 1 to 65535, or 0 to keep " + what + " off");
        return n;
    }

    /** Any text but the empty one (surrounding space dropped); {@code hint} says what to write. */
    public static String nonEmpty(String value, String hint) throws IllegalArgumentException {
        String v = value.strip();
        if (v.isEmpty()) throw new IllegalArgumentException("must not be empty; " + hint);
        return v;
    }

    /** A file name (surrounding space dropped). */
    public static java.nio.file.Path path(String value) throws IllegalArgumentException {
        try {
            return java.nio.file.Path.of(value.strip());
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("bad file name: " + e.getMessage());
        }
    }
}
