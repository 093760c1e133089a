package dev.tandem.shared.signing;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

/**
 * What a manifest of a rollout asks of the device, signed with it: run the candidate in SHADOW for
 * {@code shadowMs} beside the active model and activate it only if it is at least as good (with at
 * least {@code minVerdicts} judged escalations: its agreement with the large model's verdicts not
 * below the active model's; with fewer: its agreement with the active model at least
 * {@code minAgreement}); then watch for {@code watchMs}: once {@code watchMinWindows} windows are
 * scored, the share of windows found anomalous must stay within {@code alarmRate} and the share
 * escalated within {@code escalationRate}, or the device goes back to its previous model by itself.
 *
 * @param rollout the rollout's id, reported back with every state
 */
public record RolloutRules(String rollout, long shadowMs, int minVerdicts, double minAgreement, long watchMs,
                           int watchMinWindows, Band alarmRate, Band escalationRate) {
    /** Most a manifest may ask to shadow or watch: one day. */
    public static final long MAX_MS = 24L * 3600 * 1000;

    /** A share of windows, {@code [min, max]} within {@code [0, 1]}. */
    public record Band(double min, double max) {
        public Band {
            if (!(min >= 0 && min <= max && max <= 1)) {
                throw TandemException.invalid("a band is 0 <= min <= max <= 1, got [" + min + ", " + max + "]");
            }
        }

        public boolean contains(double share) {
            return share >= min && share <= max;
        }

        public static Band upTo(double max) {
            return new Band(0, max);
        }
    }

    public RolloutRules {
        Checks.id("rollout", rollout);
        if (shadowMs < 0 || shadowMs > MAX_MS || watchMs < 0 || watchMs > MAX_MS) {
            throw TandemException.invalid("shadowMs and watchMs are in [0, " + MAX_MS + "], got " + shadowMs + " and "
                    + watchMs);
        }
        if (minVerdicts < 1 || minVerdicts > 100_000 || watchMinWindows < 1 || watchMinWindows > 10_000_000) {
            throw TandemException.invalid("minVerdicts must be in [1, 100000] and watchMinWindows in [1, 10000000]");
        }
        if (!(minAgreement >= 0 && minAgreement <= 1)) {
            throw TandemException.invalid("minAgreement must be in [0, 1], got " + minAgreement);
        }
        if (alarmRate == null || escalationRate == null) {
            throw TandemException.invalid("a rollout's manifest declares its alarm and escalation rate bands");
        }
    }
}
