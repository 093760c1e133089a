package dev.tandem.shared.wire;

/**
 * The hub's answer to one {@link Escalation}, correlated by {@code id} ({@code verdicts}).
 * {@code heldThroughSeq} is the last sample the hub now holds contiguously for this device
 * (-1 if none), so that the next escalation can send only what is new.
 */
public record Verdict(int v, String id, String site, String device, long windowId, boolean anomaly,
                      double score, String hubModelVersion, long heldThroughSeq, long decidedAt) {
    public static final int VERSION = 1;

    public Verdict {
        Checks.version("Verdict", v, VERSION);
        Checks.nonBlank("id", id);
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.finite("score", score);
        Checks.nonBlank("hubModelVersion", hubModelVersion);
    }
}
