package org.proxymap.table.socket;

/** Postfix's printable(): every byte that is not printable ASCII becomes {@code replacement}, for log lines. */
final class Printable {
    private Printable() {}

    static String of(String s, char replacement) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : replacement);
        }
        return b.toString();
    }
}
