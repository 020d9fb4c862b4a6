package org.proxymap.table;

/** Key helpers shared by table implementations. */
public final class Keys {
    private Keys() {}

    /** Postfix's {@code lowercase()}: ASCII only, every other byte unchanged. */
    public static String asciiLower(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] a = s.toCharArray();
                for (int j = i; j < n; j++) {
                    char d = a[j];
                    if (d >= 'A' && d <= 'Z') a[j] = (char) (d + 32);
                }
                return new String(a);
            }
        }
        return s;
    }
}
