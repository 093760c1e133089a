package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;
import java.util.List;

/**
 * An uncertain window handed to the hub ({@code escalations}, QoS 1).
 *
 * <p>The window ends at sample {@code windowId} and spans {@code windowSize} samples; the hub's
 * model also reads up to {@code contextSize} samples of history. {@code samples} holds the raw
 * samples the hub does not already hold for this device, in order, ending at {@code windowId}:
 * the whole context on a first escalation, only the new ones when the last verdict said the hub
 * holds the rest ({@link Verdict#heldThroughSeq()}).
 */
public record Escalation(int v, String id, String site, String device, long windowId, int windowSize,
                         int contextSize, String modelVersion, double edgeScore, List<Sample> samples,
                         long sentAt) {
    public static final int VERSION = 1;

    public Escalation {
        Checks.version("Escalation", v, VERSION);
        Checks.nonBlank("id", id);
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.nonBlank("modelVersion", modelVersion);
        Checks.finite("edgeScore", edgeScore);
        if (contextSize > Limits.MAX_CONTEXT_SIZE) {
            throw TandemException.invalid("contextSize " + contextSize + " exceeds the limit of " + Limits.MAX_CONTEXT_SIZE);
        }
        if (windowSize < 1 || contextSize < windowSize) {
            throw TandemException.invalid("need 1 <= windowSize <= contextSize, got " + windowSize + ", " + contextSize);
        }
        samples = Samples.consistent(samples, Limits.MAX_CONTEXT_SIZE);
        if (samples.get(samples.size() - 1).seq() != windowId) {
            throw TandemException.invalid("samples must end at windowId " + windowId);
        }
        if (samples.size() > contextSize) {
            throw TandemException.invalid("samples (" + samples.size() + ") exceed contextSize " + contextSize);
        }
    }

    /** Sequence number of the first sample carried. */
    public long fromSeq() {
        return samples.get(0).seq();
    }
}
