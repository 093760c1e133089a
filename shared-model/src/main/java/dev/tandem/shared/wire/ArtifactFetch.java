package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A device's request for one piece of an artifact assigned to it ({@code model/fetch}, QoS 0,
 * retried by the device): the artifact by its sha256 (as its signed manifest names it), and the
 * byte range {@code [offset, offset + length)}. The hub answers on the device's {@code model/chunk}
 * topic with one {@link ArtifactChunk} of at most {@code length} bytes from {@code offset}, or a
 * refusal. {@code length} is at most {@link Limits#MAX_CHUNK_BYTES}.
 */
public record ArtifactFetch(int v, String site, String device, String sha256, long offset, int length) {
    public static final int VERSION = 1;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public ArtifactFetch {
        Checks.version("ArtifactFetch", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        if (sha256 == null || !HEX64.matcher(sha256).matches()) {
            throw TandemException.invalid("sha256 must be 64 hex digits");
        }
        if (offset < 0 || offset >= Limits.MAX_ARTIFACT_BYTES) {
            throw TandemException.invalid("offset must be in [0, " + Limits.MAX_ARTIFACT_BYTES + "), got " + offset);
        }
        if (length < 1 || length > Limits.MAX_CHUNK_BYTES) {
            throw TandemException.invalid("length must be in [1, " + Limits.MAX_CHUNK_BYTES + "], got " + length);
        }
    }

    public static ArtifactFetch of(String site, String device, String sha256, long offset, int length) {
        return new ArtifactFetch(VERSION, site, device, sha256, offset, length);
    }
}
