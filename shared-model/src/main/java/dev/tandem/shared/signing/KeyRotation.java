package dev.tandem.shared.signing;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

/**
 * The announcement of a new hub key: the new public key (X.509, base64) and the id of the key it
 * replaces. A device accepts it only signed by the key it trusts now ({@link ManifestVerifier#rotate}),
 * and from then on trusts the new key only.
 */
public record KeyRotation(int v, String previousKeyId, String newKey, long issuedAt) {
    public static final int VERSION = 1;

    public KeyRotation {
        Checks.version("KeyRotation", v, VERSION);
        Checks.id("previousKeyId", previousKeyId);
        Checks.nonBlank("newKey", newKey);
        TrustedKey.fromBase64(newKey); // must be an Ed25519 public key
        if (issuedAt < 0) {
            throw TandemException.invalid("issuedAt must be >= 0");
        }
    }

    public TrustedKey key() {
        return TrustedKey.fromBase64(newKey);
    }
}
