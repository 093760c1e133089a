package dev.tandem.edge.commissioning;

import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.error.TandemException;

/**
 * Checks a {@link ModelAssignment} before anything runs it: the artifact's bytes must match the
 * manifest's size and sha256 ({@link ErrorCode#ARTIFACT_HASH_MISMATCH}), decode as a tiny model of
 * the manifest's format and version, and fit the device's stream ({@link ErrorCode#ARTIFACT_INVALID},
 * {@link ErrorCode#CHANNEL_MISMATCH}).
 */
public final class AssignmentVerifier {
    private AssignmentVerifier() {
    }

    /**
     * @param channels the device stream's channel count, or -1 if no sample was seen yet
     * @return the verified model
     * @throws TandemException with the code of the first check that failed
     */
    public static TinyModel verify(ModelAssignment assignment, int channels) {
        TinyModel model;
        try {
            byte[] bytes = assignment.verifiedArtifact();
            model = TinyModelCodec.verifyAndDecode(assignment.manifest(), bytes);
        } catch (TandemException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "cannot load artifact " + assignment.manifest().version()
                    + ": " + e);
        }
        if (channels > 0 && model.channels() != channels) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "model " + model.version() + " expects "
                    + model.channels() + " channels, device " + assignment.device() + " streams " + channels);
        }
        return model;
    }
}
