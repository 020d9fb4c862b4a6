package org.proxymap.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The Postfix defaults that depend on the machine, computed as Postfix computes them rather
 * than copied from the machine where postfix-defaults.cf was made: {@code myhostname}
 * (gethostname(), plus {@code .$mydomain} or {@code .localdomain} when it has no dot),
 * {@code mydomain} (what follows the first dot of myhostname, else {@code localdomain}) and
 * {@code mynetworks} (the local interface networks per {@code mynetworks_style}: IPv4 first,
 * then IPv6, in interface order, as {@code postconf -d} prints them).
 */
final class HostDefaults {
    private HostDefaults() {}

    /** gethostname(): the kernel's host name, as Postfix's get_hostname() reads it. */
    static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) return h;
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to Java's notion
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** myhostname's default; {@code domainConfigured} tells whether main.cf sets mydomain. */
    static String myhostname(boolean domainConfigured) {
        String h = hostName();
        if (h.indexOf('.') >= 0) return h;
        return h + "." + (domainConfigured ? "$mydomain" : "localdomain");
    }

    /** mydomain's default for the effective myhostname. */
    static String mydomain(String myhostname) {
        int dot = myhostname == null ? -1 : myhostname.indexOf('.');
        return dot < 0 || dot == myhostname.length() - 1 ? "localdomain" : myhostname.substring(dot + 1);
    }

    /**
     * mynetworks' default.
     *
     * @param style     mynetworks_style: host, subnet or class
     * @param protocols inet_protocols: all, ipv4, ipv6 (comma or space separated)
     */
    static String mynetworks(String style, String protocols) {
        String p = protocols == null ? "all" : protocols.toLowerCase(java.util.Locale.ROOT);
        boolean v4 = p.contains("all") || p.contains("ipv4");
        boolean v6 = p.contains("all") || p.contains("ipv6");
        List<String> four = new ArrayList<>();
        List<String> six = new ArrayList<>();
        List<NetworkInterface> ifs;
        try {
            ifs = Collections.list(NetworkInterface.getNetworkInterfaces());
        } catch (SocketException e) {
            return "127.0.0.0/8 [::1]/128";
        }
        ifs.sort((a, b) -> Integer.compare(a.getIndex(), b.getIndex()));
        String s = style == null ? "subnet" : style.strip().toLowerCase(java.util.Locale.ROOT);
        for (NetworkInterface ni : ifs) {
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                InetAddress a = ia.getAddress();
                int len = ia.getNetworkPrefixLength();
                if (a instanceof Inet4Address && v4) {
                    int bits = switch (s) {
                        case "host" -> 32;
                        case "class" -> classBits(a.getAddress()[0] & 0xff, len);
                        default -> len;
                    };
                    four.add(ipv4(mask(a.getAddress(), bits)) + "/" + bits);
                } else if (a instanceof Inet6Address && v6) {
                    int bits = s.equals("host") ? 128 : len;
                    six.add("[" + ipv6(mask(a.getAddress(), bits)) + "]/" + bits);
                }
            }
        }
        List<String> all = new ArrayList<>(four);
        all.addAll(six);
        return String.join(" ", all);
    }

    private static int classBits(int first, int subnetBits) {
        if (first < 128) return 8;
        if (first < 192) return 16;
        if (first < 224) return 24;
        return subnetBits;
    }

    private static byte[] mask(byte[] addr, int bits) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    private static String ipv4(byte[] a) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }

    /** inet_ntop's form: lower-case hex, the longest run of two or more zero groups as "::". */
    static String ipv6(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
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
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
