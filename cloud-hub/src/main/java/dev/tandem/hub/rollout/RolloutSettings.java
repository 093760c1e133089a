package dev.tandem.hub.rollout;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.RolloutRules;

import java.time.Duration;

/**
 * What every manifest of a rollout asks of its device besides the wave's shadow time (see
 * {@link RolloutRules}): in SHADOW, with at least {@code minVerdicts} judged escalations the candidate
 * must match the large model's verdicts at least as often as the active model, with fewer it must agree
 * with the active model on at least {@code minAgreement} of the windows; once ACTIVE, for {@code watch}
 * (after {@code watchMinWindows} windows) the shares of windows found anomalous and escalated must stay
 * within {@code alarmRate} and {@code escalationRate}, or the device goes back to its previous model.
 */
public record RolloutSettings(int minVerdicts, double minAgreement, Duration watch, int watchMinWindows,
                              RolloutRules.Band alarmRate, RolloutRules.Band escalationRate) {
    public static final int DEFAULT_MIN_VERDICTS = 5;
    public static final double DEFAULT_MIN_AGREEMENT = 0.9;
    public static final Duration DEFAULT_WATCH = Duration.ofMinutes(10);
    public static final int DEFAULT_WATCH_MIN_WINDOWS = 50;
    /** A healthy model alarms on a few windows in a hundred at most (its threshold sits at a high quantile). */
    public static final RolloutRules.Band DEFAULT_ALARM_RATE = RolloutRules.Band.upTo(0.2);
    /** The fit's escalation budget is 4 % of windows; a model escalating several times that is broken. */
    public static final RolloutRules.Band DEFAULT_ESCALATION_RATE = RolloutRules.Band.upTo(0.3);

    public RolloutSettings {
        if (alarmRate == null || escalationRate == null || watch == null) {
            throw TandemException.invalid("a rollout's watchdog has a watch time, an alarm rate and an escalation rate band");
        }
        // the manifest's own rules check the ranges; checked here so that a bad request fails before it is planned
        new RolloutRules("check", 0, minVerdicts, minAgreement, watch.toMillis(), watchMinWindows, alarmRate,
                escalationRate);
    }

    public static RolloutSettings defaults() {
        return new RolloutSettings(DEFAULT_MIN_VERDICTS, DEFAULT_MIN_AGREEMENT, DEFAULT_WATCH, DEFAULT_WATCH_MIN_WINDOWS,
                DEFAULT_ALARM_RATE, DEFAULT_ESCALATION_RATE);
    }

    /** The rules a manifest of {@code rollout} carries in a wave of this gate. */
    public RolloutRules rules(String rollout, WaveGate gate) {
        return new RolloutRules(rollout, gate.shadowTime().toMillis(), minVerdicts, minAgreement, watch.toMillis(),
                watchMinWindows, alarmRate, escalationRate);
    }
}
