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
import org.proxymap.inet.InetPton;

/**
 * The Postfix defaults that depend on the machine, computed as Postfix computes them rather
 * than copied from the machine where postfix-defaults.cf was made: {@code myhostname}
 * (gethostname(), plus {@code .$mydomain} or {@code .localdomain} when it has no dot),
 * {@code mydomain} (what follows the first dot of myhostname, else {@code localdomain}) and
 * {@code mynetworks} (the local interface networks per {@code mynetworks_style}: IPv4 first,
 * then IPv6, in getifaddrs() order, as {@code postconf -d} prints them).
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
            List<InterfaceAddress> addresses = new ArrayList<>(ni.getInterfaceAddresses());
            // getifaddrs() lists an interface's IPv6 addresses as the kernel keeps them, widest
            // scope first (global, site, link); Java reads them in another order
            addresses.sort(java.util.Comparator.comparingInt(ia -> -scope(ia.getAddress())));
            for (InterfaceAddress ia : addresses) {
                InetAddress a = ia.getAddress();
                int len = ia.getNetworkPrefixLength();
                if (a instanceof Inet4Address && v4) {
                    int bits = switch (s) {
                        case "host" -> 32;
                        case "class" -> classBits(a.getAddress()[0] & 0xff, len);
                        default -> len;
                    };
                    four.add(InetPton.ntop(mask(a.getAddress(), bits)) + "/" + bits);
                } else if (a instanceof Inet6Address && v6) {
                    int bits = s.equals("host") ? 128 : len;
                    six.add("[" + InetPton.ntop(mask(a.getAddress(), bits)) + "]/" + bits);
                }
            }
        }
        List<String> all = new ArrayList<>(four);
        all.addAll(six);
        return String.join(" ", all);
    }

    /** The kernel's ipv6_addr_src_scope() rank (larger is wider); IPv4 ranks alike, keeping its order. */
    private static int scope(InetAddress a) {
        if (!(a instanceof Inet6Address)) return 0;
        if (a.isLoopbackAddress()) return 1;
        if (a.isLinkLocalAddress()) return 2;
        if (a.isSiteLocalAddress()) return 5;
        return 14;
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
}
