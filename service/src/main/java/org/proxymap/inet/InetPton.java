package org.proxymap.inet;

/**
 * glibc's {@code inet_pton()} (2.36), which Postfix's cidr_match uses for table patterns and
 * for lookup keys, and {@code inet_ntop()}, with which Postfix prints addresses. Stricter than {@link java.net.InetAddress}: IPv4 needs four decimal octets
 * without leading zeros ("010.1.1.1" is rejected, not octal); IPv6 allows an embedded IPv4
 * tail and at most four hex digits per group; {@code ::ffff:1.2.3.4} stays a 16-byte address.
 */
public final class InetPton {
    private InetPton() {}

    /** @return 4 bytes, or null when {@code s} is not a valid IPv4 address */
    public static byte[] v4(String s) {
        byte[] out = new byte[4];
        return v4(s, 0, s.length(), out, 0) ? out : null;
    }

    private static boolean v4(String s, int from, int to, byte[] dst, int off) {
        int[] tmp = new int[4];
        int tp = 0;
        boolean sawDigit = false;
        int octets = 0;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (ch >= '0' && ch <= '9') {
                int nw = tmp[tp] * 10 + (ch - '0');
                if (sawDigit && tmp[tp] == 0) return false;
                if (nw > 255) return false;
                tmp[tp] = nw;
                if (!sawDigit) {
                    if (++octets > 4) return false;
                    sawDigit = true;
                }
            } else if (ch == '.' && sawDigit) {
                if (octets == 4) return false;
                tp++;
                sawDigit = false;
            } else {
                return false;
            }
        }
        if (octets < 4) return false;
        for (int i = 0; i < 4; i++) dst[off + i] = (byte) tmp[i];
        return true;
    }

    /** @return 16 bytes, or null when {@code s} is not a valid IPv6 address */
    public static byte[] v6(String s) {
        byte[] tmp = new byte[16];
        int tp = 0;
        int endp = 16;
        int colonp = -1;
        int i = 0;
        int n = s.length();
        if (n == 0) return null;
        if (s.charAt(0) == ':') {
            if (n < 2 || s.charAt(1) != ':') return null;
            i = 1;
        }
        int curtok = i;
        boolean sawXdigit = false;
        int xdigitsSeen = 0;
        int val = 0;
        while (i < n) {
            char ch = s.charAt(i++);
            int digit = Character.digit(ch, 16);
            if (digit >= 0 && ch < 128) {
                if (xdigitsSeen == 4) return null;
                val = (val << 4) | digit;
                if (val > 0xffff) return null;
                xdigitsSeen++;
                sawXdigit = true;
                continue;
            }
            if (ch == ':') {
                curtok = i;
                if (!sawXdigit) {
                    if (colonp >= 0) return null;
                    colonp = tp;
                    continue;
                } else if (i >= n) {
                    return null;
                }
                if (tp + 2 > endp) return null;
                tmp[tp++] = (byte) (val >> 8);
                tmp[tp++] = (byte) val;
                sawXdigit = false;
                xdigitsSeen = 0;
                val = 0;
                continue;
            }
            if (ch == '.' && tp + 4 <= endp && v4(s, curtok, n, tmp, tp)) {
                tp += 4;
                sawXdigit = false;
                break;
            }
            return null;
        }
        if (sawXdigit) {
            if (tp + 2 > endp) return null;
            tmp[tp++] = (byte) (val >> 8);
            tmp[tp++] = (byte) val;
        }
        if (colonp >= 0) {
            if (tp == endp) return null;
            int moved = tp - colonp;
            for (int k = 1; k <= moved; k++) {
                tmp[endp - k] = tmp[colonp + moved - k];
                tmp[colonp + moved - k] = 0;
            }
            tp = endp;
        }
        return tp == endp ? tmp : null;
    }

    /** inet_ntop(): IPv6 compressed like glibc, IPv4-mapped and -compatible tails in dotted form. */
    public static String ntop(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 255) + "." + (a[1] & 255) + "." + (a[2] & 255) + "." + (a[3] & 255);
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((a[2 * i] & 255) << 8) | (a[2 * i + 1] & 255);
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && w[j] == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        if (bestLen < 2) bestStart = -1;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            if (i == 6 && bestStart == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                sb.append(a[12] & 255).append('.').append(a[13] & 255).append('.').append(a[14] & 255).append('.').append(a[15] & 255);
                break;
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }
}
