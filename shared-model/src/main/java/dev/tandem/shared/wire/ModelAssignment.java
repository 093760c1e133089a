package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.error.ErrorCode;
import java.util.Base64;

/**
 * The model a device must run ({@code model}, retained): the manifest and the artifact itself
 * (tiny models are kilobytes, so they travel inline, base64), and {@code contextSize}: how many
 * samples of history the hub's model reads, so how much an escalation carries at most.
 */
public record ModelAssignment(int v, String site, String device, ArtifactManifest manifest, String artifact,
                              int contextSize, long assignedAt) {
    public static final int VERSION = 1;

    public ModelAssignment {
        Checks.version("ModelAssignment", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        if (manifest == null) {
            throw TandemException.invalid("manifest is required");
        }
        Checks.nonBlank("artifact", artifact);
        if (contextSize < 1) {
            throw TandemException.invalid("contextSize must be >= 1");
        }
    }

    public static ModelAssignment of(String site, String device, ArtifactManifest manifest, byte[] artifact,
                                     int contextSize) {
        return new ModelAssignment(VERSION, site, device, manifest, Base64.getEncoder().encodeToString(artifact),
                contextSize, System.currentTimeMillis());
    }

    /** The artifact's bytes, verified against the manifest ({@link ErrorCode#ARTIFACT_HASH_MISMATCH}). */
    public byte[] verifiedArtifact() {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(artifact);
        } catch (IllegalArgumentException e) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "artifact is not base64: " + e.getMessage());
        }
        manifest.verify(bytes);
        return bytes;
    }
}
