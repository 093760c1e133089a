package dev.tandem.shared.policy;

import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.TandemException;

/**
 * Turns a calibrated score into a decision: below {@code lower} NORMAL, at or above {@code upper}
 * ANOMALY, in between UNCERTAIN (escalate). {@code threshold} is the edge's own decision point,
 * used for an uncertain window whose verdict never arrives; lower <= threshold <= upper.
 */
public record EscalationPolicy(double lower, double threshold, double upper) {
    public EscalationPolicy {
        Checks.finite("lower", lower);
        Checks.finite("threshold", threshold);
        Checks.finite("upper", upper);
        if (!(lower <= threshold && threshold <= upper)) {
            throw TandemException.invalid("need lower <= threshold <= upper, got " + lower + ", " + threshold + ", " + upper);
        }
    }

    /** No band: every window decided at the edge. */
    public static EscalationPolicy edgeOnly(double threshold) {
        return new EscalationPolicy(threshold, threshold, threshold);
    }

    public Decision decide(double score) {
        if (score >= upper) {
            return Decision.ANOMALY;
        }
        if (score < lower) {
            return Decision.NORMAL;
        }
        return Decision.UNCERTAIN;
    }

    /** The edge's own call on an uncertain window (used when no verdict arrives). */
    public boolean edgeSaysAnomaly(double score) {
        return score >= threshold;
    }
}
