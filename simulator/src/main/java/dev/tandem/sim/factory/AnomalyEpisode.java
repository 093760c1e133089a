package dev.tandem.sim.factory;

import dev.tandem.shared.wire.Checks;

import java.util.Objects;

/**
 * One injected anomaly on one device: samples {@code startSeq..endSeq} (both inclusive) are
 * labelled anomalous with {@code kind}. Detection delay = first alarm seq - startSeq.
 */
public record AnomalyEpisode(String device, AnomalyKind kind, long startSeq, long endSeq) {
    public AnomalyEpisode {
        Checks.id("device", device);
        Objects.requireNonNull(kind, "kind");
        if (startSeq < 0 || endSeq < startSeq) {
            throw new IllegalArgumentException("episode needs 0 <= startSeq <= endSeq, got " + startSeq + ".." + endSeq);
        }
    }

    /** Number of samples in the episode. */
    public long length() {
        return endSeq - startSeq + 1;
    }

    public boolean contains(long seq) {
        return seq >= startSeq && seq <= endSeq;
    }
}
