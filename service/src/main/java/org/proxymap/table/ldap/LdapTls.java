package org.proxymap.table.ldap;

import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileKeyManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLSocketVerifier;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllSSLSocketVerifier;
import com.unboundid.util.ssl.TrustAllTrustManager;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * ldap_table(5)'s {@code tls_*} settings for {@code ldaps://} and {@code start_tls}, as
 * libldap applies them: {@code tls_require_cert = no} (the default) encrypts without
 * checking the certificate or the name; {@code yes} checks both, against
 * {@code tls_ca_cert_file} / {@code tls_ca_cert_dir} (PEM) or the JVM's trust store.
 * {@code tls_cert} and {@code tls_key} (PEM) are the client certificate.
 */
record LdapTls(boolean requireCert, String caCertFile, String caCertDir, String cert, String key) {

    static LdapTls of(LdapConfig cf) {
        return cf.tls() ? new LdapTls(cf.tlsRequireCert, cf.tlsCaCertFile, cf.tlsCaCertDir, cf.tlsCert, cf.tlsKey)
                : new LdapTls(false, "", "", "", "");
    }

    SSLContext context() throws GeneralSecurityException, IOException { return util().createSSLContext(); }

    SocketFactory socketFactory() throws GeneralSecurityException, IOException { return util().createSSLSocketFactory(); }

    /** The peer name check: only with {@code tls_require_cert = yes}. */
    SSLSocketVerifier verifier() {
        return requireCert ? new HostNameSSLSocketVerifier(true) : TrustAllSSLSocketVerifier.getInstance();
    }

    private SSLUtil util() throws GeneralSecurityException, IOException {
        TrustManager trust;
        if (!requireCert) {
            trust = new TrustAllTrustManager();
        } else if (!caCertFile.isEmpty() || !caCertDir.isEmpty()) {
            List<File> files = new ArrayList<>();
            // libldap: the file takes precedence over the directory
            if (!caCertFile.isEmpty()) {
                files.add(new File(caCertFile));
            } else {
                try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of(caCertDir), "*.{pem,crt,0,1,2,3}")) {
                    for (Path p : d) files.add(p.toFile());
                }
            }
            trust = new PEMFileTrustManager(files);
        } else {
            trust = JVMDefaultTrustManager.getInstance();
        }
        if (!cert.isEmpty() && !key.isEmpty()) {
            return new SSLUtil(new PEMFileKeyManager(new File(cert), new File(key)), trust);
        }
        return new SSLUtil(trust);
    }
}
