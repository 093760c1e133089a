package dev.tandem.shared.signing;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.ArtifactManifest;
import dev.tandem.shared.wire.Checks;

/**
 * What the hub vouches for when it assigns a model: which device and device class may run it, its
 * generation (per device, only ever grows: a device refuses a generation not above the one it has
 * accepted, so an old assignment cannot be replayed), the model's version (its content hash) and
 * the version it replaces, the artifact's format, size and sha256, and when it was issued. Signed
 * as a whole by {@link ManifestSigner}; going back to an older model is a new manifest with a higher
 * generation naming the older artifact.
 *
 * <p>Version 2 added {@code rules}: null for an assignment outside a rollout (activate at once, as
 * version 1), else the {@link RolloutRules} of shadow and watchdog the device must apply. Version 1
 * manifests are still read (and verified over their own bytes).
 */
public record ModelManifest(int v, String site, String device, String deviceClass, long generation, String version,
                            String parentVersion, String format, long sizeBytes, String sha256, long issuedAt,
                            RolloutRules rules) {
    public static final int VERSION = 2;
    /** The oldest version read (see {@link dev.tandem.shared.wire.Wire}). */
    public static final int MIN_VERSION = 1;

    public ModelManifest {
        Checks.version("ModelManifest", v, MIN_VERSION, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.id("deviceClass", deviceClass);
        if (generation < 1) {
            throw TandemException.invalid("generation must be >= 1, got " + generation);
        }
        // the artifact fields are validated as the artifact manifest validates them
        new ArtifactManifest(version, format, sizeBytes, sha256);
        if (parentVersion != null) {
            Checks.nonBlank("parentVersion", parentVersion);
        }
        if (issuedAt < 0) {
            throw TandemException.invalid("issuedAt must be >= 0");
        }
    }

    /** A manifest for an artifact, issued now. */
    public static ModelManifest of(String site, String device, String deviceClass, long generation,
                                   ArtifactManifest artifact, String parentVersion) {
        return new ModelManifest(VERSION, site, device, deviceClass, generation, artifact.version(), parentVersion,
                artifact.format(), artifact.sizeBytes(), artifact.sha256(), System.currentTimeMillis(), null);
    }

    /** This manifest with a rollout's shadow and watchdog rules (null: none, activate at once). */
    public ModelManifest withRules(RolloutRules rules) {
        return new ModelManifest(v, site, device, deviceClass, generation, version, parentVersion, format, sizeBytes,
                sha256, issuedAt, rules);
    }

    /** The artifact part: version, format, size and sha256, to check the bytes against. */
    public ArtifactManifest artifact() {
        return new ArtifactManifest(version, format, sizeBytes, sha256);
    }
}
