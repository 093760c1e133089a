package dev.tandem.shared.signing;

import dev.tandem.shared.wire.Wire;

import java.util.Base64;

/** The hub's side: signs model manifests and key rotations with its {@link HubKey}. Thread-safe. */
public final class ManifestSigner {
    /** The kind of a signed {@link ModelManifest}. */
    public static final String MANIFEST = "model-manifest";
    /** The kind of a signed {@link KeyRotation}. */
    public static final String ROTATION = "key-rotation";

    private final HubKey key;

    public ManifestSigner(HubKey key) {
        this.key = key;
    }

    public Signed sign(ModelManifest manifest) {
        return sign(MANIFEST, Wire.encode(manifest));
    }

    /** Announces {@code next} as the hub's key, signed by this (the current) key. */
    public Signed rotateTo(TrustedKey next) {
        return sign(ROTATION, Wire.encode(new KeyRotation(KeyRotation.VERSION, key.keyId(), next.toBase64(),
                System.currentTimeMillis())));
    }

    public String keyId() {
        return key.keyId();
    }

    private Signed sign(String kind, byte[] payload) {
        byte[] signature = Ed25519Keys.sign(key.privateKey(), Signed.signedBytes(kind, payload));
        Base64.Encoder b64 = Base64.getEncoder();
        return new Signed(kind, key.keyId(), b64.encodeToString(payload), b64.encodeToString(signature));
    }
}
