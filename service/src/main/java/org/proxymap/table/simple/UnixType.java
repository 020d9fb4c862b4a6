package org.proxymap.table.simple;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.proxymap.protocol.DictFlags;
import org.proxymap.table.FileStamp;
import org.proxymap.table.LookupTable;
import org.proxymap.table.OpenContext;
import org.proxymap.table.TableException;
import org.proxymap.table.TableOpenException;
import org.proxymap.table.TableType;

/**
 * {@code unix:passwd.byname} and {@code unix:group.byname} (dict_unix.c) from /etc/passwd and
 * /etc/group, with Postfix's result format: {@code name:passwd:uid:gid:gecos:dir:shell} and
 * {@code name:passwd:gid:member,member}. The first entry of a name wins, as getpwnam() does.
 * The file is re-read when it changes (checked at most once a second); when it cannot be read
 * the lookup answers RETRY ("cannot access UNIX password database"), as Postfix does.
 * Only the files are read, not other NSS sources (LDAP, NIS): see README.
 */
public final class UnixType implements TableType {
    private final Path passwd;
    private final Path group;

    public UnixType() { this(Path.of("/etc/passwd"), Path.of("/etc/group")); }

    /** For tests: other files in passwd(5)/group(5) format. */
    public UnixType(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    @Override
    public String name() { return "unix"; }

    /** Nothing is read under the client's flags at open; folding is per request. */
    @Override
    public int openFlagsMask() { return 0; }

    @Override
    public LookupTable open(String name, OpenContext context) throws TableOpenException {
        if (context.writable()) throw TableOpenException.readOnly("unix", name);
        return switch (name) {
            case "passwd.byname" -> new FileTable(passwd, "password", true);
            case "group.byname" -> new FileTable(group, "group", false);
            default -> throw new TableOpenException("unknown table: unix:" + name);
        };
    }

    private static final class FileTable implements LookupTable {
        private final Path file;
        private final String what;
        private final boolean isPasswd;
        private volatile Map<String, String> map;
        private volatile FileStamp stamp;
        private volatile long nextCheck = System.nanoTime();

        FileTable(Path file, String what, boolean isPasswd) {
            this.file = file;
            this.what = what;
            this.isPasswd = isPasswd;
        }

        @Override
        public int implFlags() { return DictFlags.FIXED; }

        @Override
        public String lookup(String key) throws TableException {
            return current().get(key);
        }

        private Map<String, String> current() throws TableException {
            long now = System.nanoTime();
            Map<String, String> m = map;
            if (m != null && now - nextCheck < 0) return m;
            synchronized (this) {
                try {
                    FileStamp s = FileStamp.of(file);
                    if (map == null || !s.equals(stamp)) {
                        map = parse(Files.readAllLines(file, StandardCharsets.ISO_8859_1));
                        stamp = s;
                    }
                    nextCheck = now + 1_000_000_000L;
                    return map;
                } catch (IOException e) {
                    throw TableException.retry("cannot access UNIX " + what + " database: " + file + ": " + e);
                }
            }
        }

        private Map<String, String> parse(List<String> lines) {
            Map<String, String> m = new HashMap<>();
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (isPasswd) {
                    if (f.length != 7 || f[0].isEmpty() || f[0].startsWith("+") || f[0].startsWith("-")) continue;
                    Long uid = number(f[2]);
                    Long gid = number(f[3]);
                    if (uid == null || gid == null) continue;
                    m.putIfAbsent(f[0], f[0] + ":" + f[1] + ":" + uid + ":" + gid + ":" + f[4] + ":" + f[5] + ":" + f[6]);
                } else {
                    if (f.length != 4 || f[0].isEmpty() || f[0].startsWith("+") || f[0].startsWith("-")) continue;
                    Long gid = number(f[2]);
                    if (gid == null) continue;
                    StringBuilder members = new StringBuilder();
                    for (String mem : f[3].split(",")) {
                        if (mem.isEmpty()) continue;
                        if (members.length() > 0) members.append(',');
                        members.append(mem);
                    }
                    m.putIfAbsent(f[0], f[0] + ":" + f[1] + ":" + gid + ":" + members);
                }
            }
            return m;
        }

        private static Long number(String s) {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
