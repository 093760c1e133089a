package dev.tandem.shared.identity;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * TLS that trusts exactly a site's CA ({@code ca.pem} from provisioning), not the JVM's default
 * authorities: the client side of {@code mqtts://}. The broker's host name is checked against its
 * certificate by the client.
 */
public final class CaTrust {
    private static final long MAX_PEM_BYTES = 1024 * 1024;

    private CaTrust() {
    }

    /** An SSL context trusting the certificates in a PEM file; {@link ErrorCode#INVALID_CONFIG} if unreadable. */
    public static SSLContext sslContext(Path caPem) {
        try {
            if (Files.size(caPem) > MAX_PEM_BYTES) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, caPem + " is too large for a CA file");
            }
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(caPem)) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) {
                throw new TandemException(ErrorCode.INVALID_CONFIG, caPem + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "cannot load the CA " + caPem + ": " + e.getMessage(), e);
        }
    }
}
