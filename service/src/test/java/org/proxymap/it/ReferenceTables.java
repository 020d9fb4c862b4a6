package org.proxymap.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tables of the instance the golden transcripts were captured on ({@code DIR/maps/...},
 * see the transcripts' header), written under a directory of the test's choice, so that the
 * same table names and contents can be served by our server and by Postfix's proxymap.
 * Files and directories are world-readable: Postfix opens tables as the postfix user.
 */
public final class ReferenceTables {
    private ReferenceTables() {}

    /** {@code DIR/maps/small}, in file order. */
    public static final Map<String, String> SMALL = new LinkedHashMap<>();

    static {
        SMALL.put("alice@example.com", "alice@mailhost.example.com");
        SMALL.put("bob@example.com", "bob@mailhost.example.com, bob2@example.net");
        SMALL.put("example.com", "OK");
        SMALL.put("spaces@example.com", "value with   internal  spaces");
    }

    /** Entries of {@code DIR/maps/big}: key<N>@example.com -> target<N>@example.net. */
    public static final int BIG = 1000;

    public static final String INLINE = "inline:{ inkey1=invalue1, inkey2=invalue2 }";

    /** Writes {@code dir/maps/{small,big,clients.cidr,rx.regexp,rx.pcre}}; {@code maps/missing} stays missing. */
    public static void write(Path dir) throws IOException {
        Path maps = dir.resolve("maps");
        Files.createDirectories(maps);
        for (Path p : new Path[] {dir, maps}) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(maps.resolve("small"), """
                alice@example.com    alice@mailhost.example.com
                bob@example.com      bob@mailhost.example.com, bob2@example.net
                example.com          OK
                spaces@example.com   value with   internal  spaces
                """);
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < BIG; i++) big.append("key").append(i).append("@example.com\ttarget").append(i).append("@example.net\n");
        Files.writeString(maps.resolve("big"), big);
        Files.writeString(maps.resolve("clients.cidr"), """
                127.0.0.0/8      loopback
                192.0.2.0/24     REJECT test-net-1
                2001:db8::/32    REJECT doc-v6
                """);
        String rx = """
                /^user([0-9]+)@rx\\.example$/    rx-user-$1@example.net
                /^postmaster@/                 postmaster-alias
                """;
        Files.writeString(maps.resolve("rx.regexp"), rx);
        Files.writeString(maps.resolve("rx.pcre"), rx);
        try (var files = Files.list(maps)) {
            for (Path f : files.toList()) Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /**
     * {@code proxy_read_maps} and {@code proxy_write_maps} as in the capture instance, with
     * {@code writable} as the read-write table ({@code internal:rw}, or lmdb once available).
     */
    public static String proxyMaps(Path dir, String writable) { return proxyMaps(dir, writable, ""); }

    /** As {@link #proxyMaps(Path, String)}, with more tokens in {@code proxy_read_maps}. */
    public static String proxyMaps(Path dir, String writable, String moreRead) {
        String d = dir.toString();
        return "proxy_read_maps =\n"
                + "    proxy:texthash:" + d + "/maps/small\n"
                + "    proxy:texthash:" + d + "/maps/big\n"
                + "    proxy:texthash:" + d + "/maps/missing\n"
                + "    proxy:" + INLINE + "\n"
                + "    proxy:cidr:" + d + "/maps/clients.cidr\n"
                + "    proxy:regexp:" + d + "/maps/rx.regexp\n"
                + "    proxy:pcre:" + d + "/maps/rx.pcre\n"
                + "    $proxy_write_maps " + moreRead + "\n"
                + "proxy_write_maps =\n"
                + "    proxy:" + writable + "\n";
    }
}
