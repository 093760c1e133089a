package dev.tandem.shared.identity;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import javax.net.ssl.SSLContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a component logs in to the broker: its credentials (or none: an anonymous client, only for
 * a broker started insecure) and the site CA it trusts for {@code mqtts://} (or none for plain
 * TCP). With credentials the MQTT client id is the username.
 */
public record BrokerLogin(Credentials credentials, Path caFile) {
    public BrokerLogin {
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "CA file " + caFile + " is not readable");
        }
    }

    /** No credentials, no TLS trust: for brokers that allow anonymous clients. */
    public static BrokerLogin none() {
        return new BrokerLogin(null, null);
    }

    public static BrokerLogin of(Credentials credentials, Path caFile) {
        return new BrokerLogin(credentials, caFile);
    }

    public boolean isAnonymous() {
        return credentials == null;
    }

    /** The client id to use: the username when logged in, else {@code fallback}. */
    public String clientId(String fallback) {
        return credentials == null ? fallback : credentials.username();
    }

    /** {@link ErrorCode#INVALID_CONFIG} unless a TLS address has a CA to trust. */
    public void checkFor(BrokerAddress broker) {
        if (broker.tls() && caFile == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "broker " + broker + " is TLS: give the site's CA "
                    + "(--ca FILE, tls/ca.pem from ./tandem provision)");
        }
    }

    /** The SSL context trusting the site CA (TLS addresses only). */
    public SSLContext sslContext() {
        if (caFile == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "no CA file to trust for TLS");
        }
        return CaTrust.sslContext(caFile);
    }

    @Override
    public String toString() {
        return credentials == null ? "anonymous" : credentials.username();
    }
}
