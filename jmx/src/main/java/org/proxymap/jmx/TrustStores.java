package org.proxymap.jmx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * The certificates a TLS peer is checked against, for the JMX connector (its clients'
 * certificates) and proxymapctl (the connector's): a PEM file of certificates, as
 * administrators keep them, or a PKCS12 store whose certificates need no password.
 */
public final class TrustStores {
    private TrustStores() {}

    public static KeyStore load(Path file) throws IOException, GeneralSecurityException {
        byte[] bytes = Files.readAllBytes(file);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        if (new String(bytes, 0, Math.min(bytes.length, 4096), java.nio.charset.StandardCharsets.ISO_8859_1).contains("-----BEGIN")) {
            ks.load(null, null);
            int i = 0;
            try (InputStream in = Files.newInputStream(file)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("cert" + i++, c);
                }
            }
        } else {
            try (InputStream in = Files.newInputStream(file)) {
                ks.load(in, null);
            }
        }
        if (ks.size() == 0) {
            throw new GeneralSecurityException(file + ": no certificates readable (give a PEM file of certificates,"
                    + " e.g. keytool -exportcert -rfc)");
        }
        return ks;
    }
}
