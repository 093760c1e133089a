package dev.tandem.shared.signing;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

/**
 * The device's side: accepts a {@link ModelManifest} only if it is signed by the pinned hub key, is
 * for this device and its class, and has a generation above the one the device has accepted. Each
 * refusal is a {@link TandemException} with its stable code:
 * <ul>
 *   <li>{@link ErrorCode#MODEL_UNSIGNED}: no signed manifest at all;</li>
 *   <li>{@link ErrorCode#UNKNOWN_SIGNING_KEY}: signed by a key other than the pinned one;</li>
 *   <li>{@link ErrorCode#SIGNATURE_INVALID}: the signature does not verify (tampered bytes, a forged
 *       key id, another kind of statement, bad base64);</li>
 *   <li>{@link ErrorCode#MANIFEST_MISMATCH}: signed, but for another site, device or device class;</li>
 *   <li>{@link ErrorCode#STALE_GENERATION}: signed, but not newer than what was accepted (a replay).</li>
 * </ul>
 * Immutable; {@link #rotate} gives the verifier that trusts the announced next key.
 */
public final class ManifestVerifier {
    /** Who the device is: what a manifest must name. */
    public record Device(String site, String device, String deviceClass) {
    }

    private final TrustedKey trusted;

    public ManifestVerifier(TrustedKey trusted) {
        this.trusted = trusted;
    }

    public TrustedKey trusted() {
        return trusted;
    }

    /**
     * @param acceptedGeneration the highest generation this device has accepted (0: none yet)
     * @return the manifest, once every check passed
     */
    public ModelManifest verify(Signed signed, Device device, long acceptedGeneration) {
        ModelManifest m = verifyOrigin(signed, device);
        checkGeneration(m, device, acceptedGeneration);
        return m;
    }

    /** Every check but the generation: signed by the trusted key, for this device and class. */
    public ModelManifest verifyOrigin(Signed signed, Device device) {
        if (signed == null) {
            throw new TandemException(ErrorCode.MODEL_UNSIGNED, "model assignment for " + device.device()
                    + " carries no signed manifest");
        }
        byte[] payload = checkSignature(signed, ManifestSigner.MANIFEST);
        ModelManifest m = Wire.decode(payload, ModelManifest.class, Signed.MAX_PAYLOAD_CHARS);
        if (!m.site().equals(device.site()) || !m.device().equals(device.device())) {
            throw new TandemException(ErrorCode.MANIFEST_MISMATCH, "manifest " + m.version() + " is for "
                    + m.site() + "/" + m.device() + ", not " + device.site() + "/" + device.device());
        }
        if (!m.deviceClass().equals(device.deviceClass())) {
            throw new TandemException(ErrorCode.MANIFEST_MISMATCH, "manifest " + m.version() + " is for device class "
                    + m.deviceClass() + ", " + device.device() + " is " + device.deviceClass());
        }
        return m;
    }

    /** {@link ErrorCode#STALE_GENERATION} unless the manifest's generation is above {@code acceptedGeneration}. */
    public static void checkGeneration(ModelManifest m, Device device, long acceptedGeneration) {
        if (m.generation() <= acceptedGeneration) {
            throw new TandemException(ErrorCode.STALE_GENERATION, "manifest " + m.version() + " has generation "
                    + m.generation() + ", " + device.device() + " has accepted " + acceptedGeneration);
        }
    }

    /** The verifier that trusts the key a rotation signed by the trusted key announces. */
    public ManifestVerifier rotate(Signed announcement) {
        if (announcement == null) {
            throw new TandemException(ErrorCode.MODEL_UNSIGNED, "no key rotation given");
        }
        KeyRotation r = Wire.decode(checkSignature(announcement, ManifestSigner.ROTATION), KeyRotation.class,
                Signed.MAX_PAYLOAD_CHARS);
        if (!r.previousKeyId().equals(trusted.keyId())) {
            throw new TandemException(ErrorCode.UNKNOWN_SIGNING_KEY, "key rotation replaces key " + r.previousKeyId()
                    + ", this device trusts " + trusted.keyId());
        }
        return new ManifestVerifier(r.key());
    }

    private byte[] checkSignature(Signed signed, String kind) {
        if (!signed.keyId().equals(trusted.keyId())) {
            throw new TandemException(ErrorCode.UNKNOWN_SIGNING_KEY, signed.kind() + " signed by key " + signed.keyId()
                    + ", this device trusts " + trusted.keyId());
        }
        if (!kind.equals(signed.kind())) {
            throw new TandemException(ErrorCode.SIGNATURE_INVALID, "expected a signed " + kind + ", got a "
                    + signed.kind());
        }
        byte[] payload = signed.payloadBytes();
        byte[] signature = signed.signatureBytes();
        if (payload == null || signature == null) {
            throw new TandemException(ErrorCode.SIGNATURE_INVALID, "signed " + kind + " is not base64");
        }
        if (!Ed25519Keys.verify(trusted.key(), Signed.signedBytes(kind, payload), signature)) {
            throw new TandemException(ErrorCode.SIGNATURE_INVALID, "the signature of this " + kind
                    + " does not verify with key " + trusted.keyId());
        }
        return payload;
    }
}
