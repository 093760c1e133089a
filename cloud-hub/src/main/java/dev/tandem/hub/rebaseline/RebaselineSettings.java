package dev.tandem.hub.rebaseline;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Limits;

import java.time.Duration;

/**
 * When the hub re-baselines a device whose alarm holds (see {@link Rebaseliner}).
 *
 * @param heldFor           an episode must have held at least this long (sample time)
 * @param samples           recent readings the new models are fitted on (contiguous, all after the onset);
 *                          0: the hub never re-baselines
 * @param maxAnomalousShare the recent windows count as the device's new normal when at most this share of the
 *                          verdicts on their second half, judged by models fitted on their first half, are anomalies
 */
public record RebaselineSettings(Duration heldFor, int samples, double maxAnomalousShare) {
    public static final Duration DEFAULT_HELD_FOR = Duration.ofMinutes(10);
    /** {@link #DEFAULT_HELD_FOR} in words, for help texts. */
    public static final String DEFAULT_HELD_FOR_TEXT = "10 minutes";
    /** As many as a default commissioning set. */
    public static final int DEFAULT_SAMPLES = 400;
    /** The verdicts' own false-alarm rate on normal data is a few percent; a new steady state stays near it. */
    public static final double DEFAULT_MAX_ANOMALOUS_SHARE = 0.1;
    /** Fewest samples a re-baseline fits on: each half must hold a fit's worth. */
    public static final int MIN_SAMPLES = 100;

    public RebaselineSettings {
        if (heldFor == null || heldFor.isNegative()) {
            throw invalid("heldFor must be >= 0, got " + heldFor);
        }
        if (samples != 0 && (samples < MIN_SAMPLES || samples > Limits.MAX_COMMISSIONING_SAMPLES)) {
            throw invalid("samples must be 0 (off) or " + MIN_SAMPLES + ".." + Limits.MAX_COMMISSIONING_SAMPLES
                    + ", got " + samples);
        }
        if (!(maxAnomalousShare >= 0 && maxAnomalousShare <= 1)) {
            throw invalid("maxAnomalousShare must be in [0, 1], got " + maxAnomalousShare);
        }
    }

    public static RebaselineSettings defaults() {
        return new RebaselineSettings(DEFAULT_HELD_FOR, DEFAULT_SAMPLES, DEFAULT_MAX_ANOMALOUS_SHARE);
    }

    public static RebaselineSettings off() {
        return new RebaselineSettings(DEFAULT_HELD_FOR, 0, DEFAULT_MAX_ANOMALOUS_SHARE);
    }

    public boolean enabled() {
        return samples > 0;
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "rebaseline: " + message);
    }
}
