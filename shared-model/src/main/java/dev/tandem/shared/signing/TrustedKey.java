package dev.tandem.shared.signing;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;

/**
 * A hub public key a device trusts (pinned from provisioning, or announced by a {@link KeyRotation}
 * signed by the key before it): X.509 SubjectPublicKeyInfo, as a {@code PUBLIC KEY} PEM file.
 */
public final class TrustedKey {
    private static final String LABEL = "PUBLIC KEY";

    private final PublicKey key;
    private final String keyId;

    TrustedKey(PublicKey key) {
        this.key = key;
        this.keyId = KeyId.of(key);
    }

    public static TrustedKey load(Path file) {
        try {
            return fromEncoded(PemFiles.read(file, LABEL));
        } catch (TandemException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, file + ": " + e.getMessage());
        }
    }

    /** From the X.509 encoding; {@link ErrorCode#INVALID_FIELD} if it is not an Ed25519 public key. */
    public static TrustedKey fromEncoded(byte[] x509) {
        return new TrustedKey(Ed25519Keys.decodePublic(x509));
    }

    public static TrustedKey fromBase64(String x509) {
        try {
            return fromEncoded(Base64.getDecoder().decode(x509));
        } catch (IllegalArgumentException e) {
            throw TandemException.invalid("public key is not base64");
        }
    }

    public void save(Path file) {
        PemFiles.write(file, false, new PemFiles.Block(LABEL, key.getEncoded()));
    }

    public String keyId() {
        return keyId;
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    PublicKey key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedKey k && k.keyId.equals(keyId) && java.util.Arrays.equals(k.key.getEncoded(),
                key.getEncoded());
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return "Ed25519 key " + keyId;
    }
}
