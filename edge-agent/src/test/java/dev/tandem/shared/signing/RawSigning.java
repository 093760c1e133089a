package dev.tandem.shared.signing;

import java.util.Base64;

/**
 * Signs arbitrary bytes as a hub statement, for tests of what a device does with a genuinely signed
 * manifest whose content no hub would write (e.g. rules out of range). In the signing package to
 * reach its package-private parts; tests only.
 */
public final class RawSigning {
    private RawSigning() {
    }

    /** {@code payload} signed by {@code key} as a model manifest, byte for byte as given. */
    public static Signed manifest(HubKey key, byte[] payload) {
        byte[] signature = Ed25519Keys.sign(key.privateKey(), Signed.signedBytes(ManifestSigner.MANIFEST, payload));
        Base64.Encoder b64 = Base64.getEncoder();
        return new Signed(ManifestSigner.MANIFEST, key.keyId(), b64.encodeToString(payload), b64.encodeToString(signature));
    }
}
