package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;

/**
 * What a candidate model did in SHADOW, beside the active model, on the same windows: how many
 * windows both scored and on how many they decided alike (anomalous or not), how many each found
 * anomalous, and on the windows the device escalated and the hub judged, how often each model's
 * decision matched the large model's verdict.
 *
 * @param elapsedMs time in shadow so far
 */
public record ShadowReport(long windows, long agreements, long candidateAnomalous, long activeAnomalous,
                           long verdicts, long candidateMatches, long activeMatches, long elapsedMs) {
    public ShadowReport {
        if (windows < 0 || agreements < 0 || candidateAnomalous < 0 || activeAnomalous < 0 || verdicts < 0
                || candidateMatches < 0 || activeMatches < 0 || elapsedMs < 0) {
            throw TandemException.invalid("shadow figures are counts and times, never negative");
        }
        if (agreements > windows || candidateAnomalous > windows || activeAnomalous > windows) {
            throw TandemException.invalid("shadow agreements and anomalous windows cannot exceed the windows scored ("
                    + windows + ")");
        }
        if (candidateMatches > verdicts || activeMatches > verdicts) {
            throw TandemException.invalid("shadow verdict matches cannot exceed the verdicts seen (" + verdicts + ")");
        }
    }

    public static final ShadowReport EMPTY = new ShadowReport(0, 0, 0, 0, 0, 0, 0, 0);

    /** Share of windows on which both models decided alike (1 with no window). */
    public double agreement() {
        return windows == 0 ? 1.0 : (double) agreements / windows;
    }

    /** Share of judged escalations on which the candidate matched the verdict (NaN with none). */
    public double candidateAccuracy() {
        return verdicts == 0 ? Double.NaN : (double) candidateMatches / verdicts;
    }

    /** Share of judged escalations on which the active model matched the verdict (NaN with none). */
    public double activeAccuracy() {
        return verdicts == 0 ? Double.NaN : (double) activeMatches / verdicts;
    }
}
