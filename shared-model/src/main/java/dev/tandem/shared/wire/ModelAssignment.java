package dev.tandem.shared.wire;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.Signed;

import java.util.Base64;

/**
 * The model a device must run ({@code model}, retained): the hub's signed manifest (a
 * {@link dev.tandem.shared.signing.ModelManifest}: device, class, generation, version, sha256,
 * size; the device verifies it against the hub key it pins), the artifact itself (tiny models are
 * kilobytes, so they travel inline, base64), and {@code contextSize}: how many samples of history
 * the hub's model reads, so how much an escalation carries at most. The manifest may be missing
 * on the wire (an attacker's assignment): the device refuses it as {@code MODEL_UNSIGNED}.
 */
public record ModelAssignment(int v, String site, String device, Signed manifest, String artifact,
                              int contextSize, long assignedAt) {
    /** Version 2: the manifest is signed. */
    public static final int VERSION = 2;

    public ModelAssignment {
        Checks.version("ModelAssignment", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.nonBlank("artifact", artifact);
        if (artifact.length() > (Limits.MAX_ARTIFACT_BYTES / 3 + 1) * 4) {
            throw TandemException.invalid("artifact larger than " + Limits.MAX_ARTIFACT_BYTES + " bytes");
        }
        if (contextSize < 1 || contextSize > Limits.MAX_CONTEXT_SIZE) {
            throw TandemException.invalid("contextSize must be in [1, " + Limits.MAX_CONTEXT_SIZE + "], got " + contextSize);
        }
    }

    public static ModelAssignment of(String site, String device, Signed manifest, byte[] artifact, int contextSize) {
        return new ModelAssignment(VERSION, site, device, manifest, Base64.getEncoder().encodeToString(artifact),
                contextSize, System.currentTimeMillis());
    }

    /** The artifact's bytes as sent (check them against the verified manifest before use). */
    public byte[] artifactBytes() {
        try {
            return Base64.getDecoder().decode(artifact);
        } catch (IllegalArgumentException e) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "artifact is not base64: " + e.getMessage());
        }
    }
}
