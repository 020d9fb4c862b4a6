package org.proxymap.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway OpenLDAP {@code slapd} (Debian's package) for tests: its own slapd.conf, mdb
 * database and schema under a temp directory, loaded with {@code slapadd}, listening on a
 * free loopback port; never the machine's own slapd. Starts in well under a second.
 * {@link #kill()} and {@link #start()} stop and restart it on the same port (fault tests).
 */
public final class Slapd implements AutoCloseable {
    public static final String SLAPD = "/usr/sbin/slapd";
    public static final String SLAPADD = "/usr/sbin/slapadd";
    public static final String SUFFIX = "dc=example,dc=org";
    public static final String ROOT_DN = "cn=admin," + SUFFIX;
    public static final String ROOT_PW = "secret";

    /** Test attributes: Postfix's defaults (mailacceptinggeneralid, maildrop) and a terminal one. */
    private static final String SCHEMA = """
            attributetype ( 1.3.6.1.4.1.99999.1.1 NAME 'mailacceptinggeneralid' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
            attributetype ( 1.3.6.1.4.1.99999.1.2 NAME 'maildrop' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
            attributetype ( 1.3.6.1.4.1.99999.1.3 NAME 'terminalDrop' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
            attributetype ( 1.3.6.1.4.1.99999.1.4 NAME 'mailMember' EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
            objectclass ( 1.3.6.1.4.1.99999.2.1 NAME 'postfixUser' SUP top AUXILIARY MAY ( mailacceptinggeneralid $ maildrop $ terminalDrop $ mailMember $ mail $ mailHost $ uid ) )
            """;

    public final Path dir;
    public final int port;
    /** With {@link #startWithTls}: the ldaps:// port (else 0), the CA's certificate and the ldapi:// socket. */
    public final int tlsPort;
    private Process process;

    private Slapd(Path dir, int port, int tlsPort) {
        this.dir = dir;
        this.port = port;
        this.tlsPort = tlsPort;
    }

    public static boolean available() { return Files.isExecutable(Path.of(SLAPD)) && Files.isExecutable(Path.of(SLAPADD)); }

    /** Creates the directory and database from {@code ldif} (entries under {@link #SUFFIX}) and starts slapd. */
    public static Slapd start(String ldif) throws IOException, InterruptedException { return start(ldif, false); }

    /**
     * As {@link #start(String)}, listening also on ldaps:// ({@link #tlsPort}), with StartTLS on
     * ldap://, and on ldapi:// ({@link #ldapi()}), with a server certificate for 127.0.0.1 and
     * localhost signed by a throwaway CA ({@link #caCert()}, made with openssl).
     */
    public static Slapd startWithTls(String ldif) throws IOException, InterruptedException { return start(ldif, true, null); }

    /**
     * SASL binds for {@link #startWithSasl}: Cyrus SASL's mechanisms (PLAIN, DIGEST-MD5, CRAM-MD5
     * and others of libsasl2-modules) in {@code realm}; identities
     * {@code uid=NAME,[cn=REALM,]cn=MECH,cn=auth} map to {@code uid=NAME,ou=people,SUFFIX}, whose
     * cleartext {@code userPassword} is the password (slapd's own auxprop: a sasldb would need
     * the machine's /etc/ldap/sasl2/slapd.conf, the only place Debian's slapd reads Cyrus SASL's
     * settings from) and whose {@code authzTo} names the identities it may assume
     * ({@code sasl_authz_id}); {@code access} holds the database's access rules.
     */
    public record Sasl(String realm, String access) {}

    /** As {@link #start(String)}, with SASL binds. */
    public static Slapd startWithSasl(String ldif, Sasl sasl) throws IOException, InterruptedException { return start(ldif, false, sasl); }

    private static Slapd start(String ldif, boolean tls) throws IOException, InterruptedException { return start(ldif, tls, null); }

    private static Slapd start(String ldif, boolean tls, Sasl sasl) throws IOException, InterruptedException {
        Require.that(available(), "slapd (Debian's slapd package)");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "slapd");
        // searchable (not readable) by others: Postfix's proxymap runs as postfix and needs the ldapi socket
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Slapd s = new Slapd(dir, freePort(), tls ? freePort() : 0);
        try {
            Files.createDirectories(dir.resolve("db"));
            String tlsConf = "";
            if (tls) {
                Require.that(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl");
                String d = dir.toString();
                exec(60, "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=proxymap test CA",
                        "-keyout", d + "/ca.key", "-out", d + "/ca.pem");
                exec(60, "/usr/bin/openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                        "-keyout", d + "/server.key", "-out", d + "/server.csr");
                Files.writeString(dir.resolve("san.ext"), "subjectAltName = IP:127.0.0.1, DNS:localhost\n");
                exec(60, "/usr/bin/openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
                        "-CAcreateserial", "-days", "2", "-extfile", d + "/san.ext", "-out", d + "/server.pem");
                tlsConf = "TLSCACertificateFile " + d + "/ca.pem\nTLSCertificateFile " + d + "/server.pem\nTLSCertificateKeyFile "
                        + d + "/server.key\n";
            }
            String saslConf = "";
            String access = "";
            if (sasl != null) {
                Require.that(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/sasl2/libdigestmd5.so.2"))
                        || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/sasl2/libdigestmd5.so.2")), "libsasl2-modules (Cyrus SASL's mechanisms)");
                // PLAIN over a plain connection (slapd's default secprops refuse it), the realm of the
                // sasldb's users, localhost in DIGEST-MD5's digest-uri
                saslConf = "sasl-secprops none\nsasl-realm " + sasl.realm() + "\nsasl-host localhost\nauthz-policy to\n"
                        + "authz-regexp \"uid=([^,]*),(cn=[^,]*,)*cn=auth\" \"uid=$1,ou=people," + SUFFIX + "\"\n";
                access = sasl.access();
            }
            Files.writeString(dir.resolve("test.schema"), SCHEMA);
            Files.writeString(dir.resolve("slapd.conf"), """
                    include /etc/ldap/schema/core.schema
                    include /etc/ldap/schema/cosine.schema
                    include /etc/ldap/schema/inetorgperson.schema
                    include /etc/ldap/schema/nis.schema
                    include /etc/ldap/schema/misc.schema
                    include /etc/ldap/schema/dyngroup.schema
                    include %1$s/test.schema
                    pidfile %1$s/slapd.pid
                    %5$s%6$s# Postfix's default is LDAPv2
                    allow bind_v2
                    modulepath /usr/lib/ldap
                    moduleload back_mdb
                    database mdb
                    maxsize 104857600
                    suffix "%2$s"
                    rootdn "%3$s"
                    rootpw %4$s
                    directory %1$s/db
                    index objectClass,mailacceptinggeneralid,mail,uid eq
                    %7$s
                    """.formatted(dir, SUFFIX, ROOT_DN, ROOT_PW, tlsConf, saslConf, access));
            Files.writeString(dir.resolve("seed.ldif"), ldif);
            exec(60, SLAPADD, "-q", "-f", dir.resolve("slapd.conf").toString(), "-l", dir.resolve("seed.ldif").toString());
            s.start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    public String url() { return "ldap://127.0.0.1:" + port; }

    /** ldaps://127.0.0.1:tlsPort (with {@link #startWithTls}). */
    public String tlsUrl() { return "ldaps://127.0.0.1:" + tlsPort; }

    /** The ldapi:// socket (with {@link #startWithTls}). */
    public Path ldapi() { return dir.resolve("ldapi"); }

    /** The CA that signed the server's certificate (with {@link #startWithTls}). */
    public Path caCert() { return dir.resolve("ca.pem"); }

    private String listeners() {
        String l = "ldap://127.0.0.1:" + port + "/";
        if (tlsPort != 0) l += " ldaps://127.0.0.1:" + tlsPort + "/ ldapi://" + ldapi().toString().replace("/", "%2F") + "/";
        return l;
    }

    /** (Re)starts slapd on the same port; returns when it accepts connections. */
    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(SLAPD, "-f", dir.resolve("slapd.conf").toString(), "-h", listeners(), "-d", "0")
                .redirectErrorStream(true).redirectOutput(dir.resolve("slapd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket c = new Socket()) {
                c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) throw new IOException("slapd exited: " + Files.readString(dir.resolve("slapd.log")));
                if (System.nanoTime() > deadline) throw new IOException("slapd does not listen on " + port);
                Thread.sleep(20);
            }
        }
    }

    /** SIGKILL: connections drop without an LDAP goodbye. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void exec(int seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no exit within " + seconds + " s");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + out);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        Trees.delete(dir);
    }
}
