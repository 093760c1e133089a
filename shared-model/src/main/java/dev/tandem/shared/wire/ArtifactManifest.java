package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.error.ErrorCode;
import java.util.Locale;
import java.util.regex.Pattern;

/** What a model artifact is: its version, format, size and sha256 (lower-case hex). */
public record ArtifactManifest(String version, String format, long sizeBytes, String sha256) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public ArtifactManifest {
        Checks.nonBlank("version", version);
        Checks.nonBlank("format", format);
        if (sizeBytes <= 0) {
            throw TandemException.invalid("sizeBytes must be > 0");
        }
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        if (sha256 == null || !HEX64.matcher(sha256).matches()) {
            throw TandemException.invalid("sha256 must be 64 hex digits");
        }
    }

    /** Throws {@link ErrorCode#ARTIFACT_HASH_MISMATCH} unless {@code bytes} are exactly this artifact. */
    public void verify(byte[] bytes) {
        if (bytes.length != sizeBytes) {
            throw new TandemException(ErrorCode.ARTIFACT_HASH_MISMATCH,
                    "artifact " + version + " has " + bytes.length + " bytes, manifest says " + sizeBytes);
        }
        String actual = Hashing.sha256Hex(bytes);
        if (!actual.equals(sha256)) {
            throw new TandemException(ErrorCode.ARTIFACT_HASH_MISMATCH,
                    "artifact " + version + " sha256 " + actual + " does not match manifest " + sha256);
        }
    }

    public static ArtifactManifest of(String version, String format, byte[] bytes) {
        return new ArtifactManifest(version, format, bytes.length, Hashing.sha256Hex(bytes));
    }
}
