package dev.tandem.sim.factory;

import dev.tandem.shared.wire.Sample;

import java.util.Objects;

/**
 * A generated sample with its ground truth: {@code anomalous} and the {@code kind} of the anomaly
 * ({@code null} when the sample is normal).
 */
public record LabeledSample(Sample sample, boolean anomalous, AnomalyKind kind) {
    public LabeledSample {
        Objects.requireNonNull(sample, "sample");
        if (anomalous != (kind != null)) {
            throw new IllegalArgumentException("an anomalous sample needs a kind and a normal one none: anomalous="
                    + anomalous + ", kind=" + kind);
        }
    }

    public static LabeledSample normal(Sample sample) {
        return new LabeledSample(sample, false, null);
    }

    public static LabeledSample anomaly(Sample sample, AnomalyKind kind) {
        return new LabeledSample(sample, true, Objects.requireNonNull(kind, "kind"));
    }

    public long seq() {
        return sample.seq();
    }
}
