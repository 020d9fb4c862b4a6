package org.proxymap.table.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.KeyManagerFactory;

/**
 * mysql_table(5)'s {@code tls_*} settings (and the {@code ssl-*} options of an option file)
 * as mariadb-java-client options. Postfix turns TLS on when any tls_* file or cipher list
 * is set, and verifies the server's name only with {@code tls_verify_cert = yes}:
 * <ul>
 *   <li>no TLS setting: {@code sslMode=disable}; TLS settings: {@code trust} (encrypted,
 *       unverified, as libmariadb without the verify option); {@code tls_verify_cert = yes}:
 *       {@code verify-full} against {@code tls_CAfile}/{@code tls_CApath}</li>
 *   <li>{@code tls_CAfile} is {@code serverSslCert}; the certificates of {@code tls_CApath}
 *       are joined into one private PEM file for it</li>
 *   <li>{@code tls_cert_file} + {@code tls_key_file} (PEM; PKCS#8 or PKCS#1 RSA key) are
 *       loaded into key managers in memory and handed to the driver by {@link InMemoryKeyTlsPlugin}:
 *       the key is never written to a file</li>
 *   <li>{@code tls_ciphers}: Java names ({@code TLS_...}) are passed on; OpenSSL names have no
 *       Java equivalent, so the list is refused with a hint</li>
 * </ul>
 */
final class TlsOptions {
    private TlsOptions() {}

    static Properties driverProperties(MysqlConfig cf, Map<String, String> opt) throws IOException, GeneralSecurityException {
        String ca = first(cf.tlsCAfile, opt.get("ssl-ca"));
        String capath = first(cf.tlsCApath, opt.get("ssl-capath"));
        String cert = first(cf.tlsCertFile, opt.get("ssl-cert"));
        String key = first(cf.tlsKeyFile, opt.get("ssl-key"));
        String ciphers = first(cf.tlsCiphers, opt.get("ssl-cipher"));
        int verify = cf.tlsVerifyCert;
        if (verify == -1 && opt.containsKey("ssl-verify-server-cert")) {
            String v = opt.get("ssl-verify-server-cert");
            verify = v.isEmpty() || v.equals("1") || v.equalsIgnoreCase("on") || v.equalsIgnoreCase("true") ? 1 : 0;
        }
        boolean tls = ca != null || capath != null || cert != null || key != null || ciphers != null
                || (opt.containsKey("ssl") && !"0".equals(opt.get("ssl")));
        Properties p = new Properties();
        if (!tls) {
            p.setProperty("sslMode", "disable");
            return p;
        }
        p.setProperty("sslMode", verify == 1 ? "verify-full" : "trust");
        if (ca != null) {
            p.setProperty("serverSslCert", ca);
        } else if (capath != null) {
            p.setProperty("serverSslCert", joinCertificates(Path.of(capath)).toString());
        }
        if (cert != null || key != null) {
            if (cert == null || key == null) {
                throw new GeneralSecurityException("tls_cert_file and tls_key_file must be set together");
            }
            // the key stays in memory: our TLS plugin hands the driver key managers, not a file
            p.setProperty("tlsSocketType", InMemoryKeyTlsPlugin.TYPE);
            p.setProperty("keyStore", clientKey(Path.of(cert), Path.of(key)));
        }
        if (ciphers != null) {
            for (String c : ciphers.split("[:,\\s]+")) {
                if (!c.startsWith("TLS_") && !c.startsWith("SSL_")) {
                    throw new GeneralSecurityException("tls_ciphers = " + ciphers + ": \"" + c
                            + "\" is an OpenSSL cipher name; the Java driver needs Java (IANA) names such as"
                            + " TLS_AES_128_GCM_SHA256 or TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, or leave tls_ciphers unset");
                }
            }
            p.setProperty("enabledSslCipherSuites", String.join(",", ciphers.split("[:,\\s]+")));
        }
        return p;
    }

    private static String first(String a, String b) { return a != null ? a : (b == null || b.isEmpty() ? null : b); }

    private static Path privateFile(String suffix) throws IOException {
        Path f = Files.createTempFile("proxymap-mysql", suffix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        f.toFile().deleteOnExit();
        return f;
    }

    private static Path joinCertificates(Path dir) throws IOException {
        StringBuilder pem = new StringBuilder();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                if (!Files.isRegularFile(f)) continue;
                String s = Files.readString(f, StandardCharsets.ISO_8859_1);
                if (s.contains("-----BEGIN CERTIFICATE-----")) pem.append(s).append('\n');
            }
        }
        if (pem.isEmpty()) throw new IOException("tls_CApath " + dir + ": no PEM certificates found");
        Path f = privateFile(".pem");
        Files.writeString(f, pem, StandardCharsets.ISO_8859_1);
        return f;
    }

    /** Loads certificate chain and key into key managers in memory; returns the driver's keyStore value for them. */
    private static String clientKey(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        List<Certificate> chain = new ArrayList<>();
        try (var in = Files.newInputStream(certFile)) {
            chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
        if (chain.isEmpty()) throw new GeneralSecurityException("tls_cert_file " + certFile + ": no certificate found");
        PrivateKey key = privateKey(Files.readString(keyFile, StandardCharsets.ISO_8859_1), keyFile);
        char[] password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16)).toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        // one id per certificate and key content: tables with the same files share one pool
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(Files.readAllBytes(certFile));
        md.update((byte) 0);
        md.update(Files.readAllBytes(keyFile));
        return InMemoryKeyTlsPlugin.register(HexFormat.of().formatHex(md.digest()), kmf.getKeyManagers());
    }

    private static PrivateKey privateKey(String pem, Path file) throws GeneralSecurityException {
        byte[] der;
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            der = base64(pem, "PRIVATE KEY");
        } else if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            der = pkcs1ToPkcs8(base64(pem, "RSA PRIVATE KEY"));
        } else {
            throw new GeneralSecurityException("tls_key_file " + file + ": unsupported key format; convert it with"
                    + " openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("tls_key_file " + file + ": not an RSA, EC or EdDSA private key");
    }

    private static byte[] base64(String pem, String label) {
        int start = pem.indexOf("-----BEGIN " + label + "-----") + label.length() + 16;
        int end = pem.indexOf("-----END " + label + "-----", start);
        return Base64.getMimeDecoder().decode(pem.substring(start, end));
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algId = HexFormat.of().parseHex("300d06092a864886f70d0101010500");
        byte[] version = {2, 1, 0};
        byte[] octet = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algId.length + octet.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algId, 0, body, version.length, algId.length);
        System.arraycopy(octet, 0, body, version.length + algId.length, octet.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 128 ? new byte[] {(byte) n}
                : n < 256 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 65536 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }
}
