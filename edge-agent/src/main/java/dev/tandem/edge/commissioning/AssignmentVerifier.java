package dev.tandem.edge.commissioning;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.wire.ModelAssignment;

/**
 * Checks a {@link ModelAssignment} before anything runs it, in this order: its manifest is signed
 * by the pinned hub key and names this device and class ({@link ManifestVerifier}: MODEL_UNSIGNED,
 * UNKNOWN_SIGNING_KEY, SIGNATURE_INVALID, MANIFEST_MISMATCH); the artifact's bytes match the signed
 * size and sha256 (ARTIFACT_HASH_MISMATCH), decode as a tiny model of the signed format and version
 * (ARTIFACT_INVALID) and fit the device's stream (CHANNEL_MISMATCH). The generation is the caller's
 * to check: it depends on what the device already runs.
 */
public final class AssignmentVerifier {
    /** An assignment whose every check passed. */
    public record Verified(ModelManifest manifest, TinyModel model) {
    }

    private AssignmentVerifier() {
    }

    /** The signed manifest, once its origin is proven (nothing of the artifact is looked at yet). */
    public static ModelManifest origin(ModelAssignment assignment, ManifestVerifier verifier,
                                       ManifestVerifier.Device device) {
        return verifier.verifyOrigin(assignment.manifest(), device);
    }

    /**
     * @param channels the device stream's channel count, or -1 if no sample was seen yet
     * @throws TandemException with the code of the first check that failed
     */
    public static Verified artifact(ModelAssignment assignment, ModelManifest manifest, int channels) {
        TinyModel model;
        try {
            model = TinyModelCodec.verifyAndDecode(manifest.artifact(), assignment.artifactBytes());
        } catch (TandemException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "cannot load artifact " + manifest.version() + ": " + e);
        }
        if (channels > 0 && model.channels() != channels) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "model " + model.version() + " expects "
                    + model.channels() + " channels, device " + assignment.device() + " streams " + channels);
        }
        return new Verified(manifest, model);
    }
}
