package dev.tandem.shared.wire;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.Signed;

import java.util.Base64;

/**
 * The model a device must run ({@code model}, retained): the hub's signed manifest (a
 * {@link dev.tandem.shared.signing.ModelManifest}: device, class, generation, version, sha256,
 * size; the device verifies it against the hub key it pins) and {@code contextSize}: how many
 * samples of history the hub's model reads, so how much an escalation carries at most. The manifest
 * may be missing on the wire (an attacker's assignment): the device refuses it as {@code MODEL_UNSIGNED}.
 *
 * <p>Version 3 (what the hub publishes): the manifest only, {@code artifact} null; the device fetches
 * the artifact in chunks ({@link ArtifactFetch}, {@link ArtifactChunk}) and checks the whole against
 * the signed sha256 and size. Version 2 carried the artifact inline (base64), and is still read; a
 * version 3 assignment may carry it inline too (what a device keeps on its disk).
 */
public record ModelAssignment(int v, String site, String device, Signed manifest, String artifact,
                              int contextSize, long assignedAt) {
    /** Version 3: the artifact is fetched in chunks (optional inline). */
    public static final int VERSION = 3;
    /** The oldest version read (see {@link Wire}): 2, the artifact inline. */
    public static final int MIN_VERSION = 2;

    public ModelAssignment {
        Checks.version("ModelAssignment", v, MIN_VERSION, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        if (v < 3 || artifact != null) {
            Checks.nonBlank("artifact", artifact);
            if (artifact.length() > (Limits.MAX_ARTIFACT_BYTES / 3 + 1) * 4) {
                throw TandemException.invalid("artifact larger than " + Limits.MAX_ARTIFACT_BYTES + " bytes");
            }
        }
        if (contextSize < 1 || contextSize > Limits.MAX_CONTEXT_SIZE) {
            throw TandemException.invalid("contextSize must be in [1, " + Limits.MAX_CONTEXT_SIZE + "], got " + contextSize);
        }
    }

    /** An assignment with the artifact inline (tests, a device's own record of what it runs). */
    public static ModelAssignment of(String site, String device, Signed manifest, byte[] artifact, int contextSize) {
        return new ModelAssignment(VERSION, site, device, manifest, Base64.getEncoder().encodeToString(artifact),
                contextSize, System.currentTimeMillis());
    }

    /** What the hub publishes: the signed manifest only; the device fetches the artifact in chunks. */
    public static ModelAssignment manifestOnly(String site, String device, Signed manifest, int contextSize) {
        return new ModelAssignment(VERSION, site, device, manifest, null, contextSize, System.currentTimeMillis());
    }

    /** Whether the artifact travels inline (version 2, or a kept assignment); else it is fetched. */
    public boolean inline() {
        return artifact != null;
    }

    /** This assignment with the artifact's bytes inline (once fetched; check them against the manifest first). */
    public ModelAssignment withArtifact(byte[] bytes) {
        return new ModelAssignment(v, site, device, manifest, Base64.getEncoder().encodeToString(bytes), contextSize,
                assignedAt);
    }

    /** This assignment as the hub publishes it now: without the artifact. */
    public ModelAssignment withoutArtifact() {
        return new ModelAssignment(VERSION, site, device, manifest, null, contextSize, assignedAt);
    }

    /** The artifact's bytes as sent (check them against the verified manifest before use). */
    public byte[] artifactBytes() {
        if (artifact == null) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "the assignment does not carry its artifact inline");
        }
        try {
            return Base64.getDecoder().decode(artifact);
        } catch (IllegalArgumentException e) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "artifact is not base64: " + e.getMessage());
        }
    }
}
