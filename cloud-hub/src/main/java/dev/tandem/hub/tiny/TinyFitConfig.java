package dev.tandem.hub.tiny;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.window.Feature;

import java.util.HashSet;
import java.util.List;

/**
 * How a device's tiny model is fitted on its commissioning rows.
 *
 * @param windowSize        samples per window (stride 1 over the commissioning rows)
 * @param features          per-channel window features, in artifact order (no duplicates)
 * @param varianceFraction  PCA keeps the fewest components explaining this fraction of the
 *                          (regularised) standardized feature variance (at least 1, at most d - 1)
 * @param limitQuantile     T2 and Q limits are this empirical quantile of the commissioning T2 and Q
 * @param thresholdQuantile the calibrated score 1.0 (the edge threshold) sits at this empirical
 *                          quantile of the calibration scores (out-of-sample when {@code calibrationFolds >= 2})
 * @param smoothing         exponential score smoothing shipped with the model, in [0, 1) (the edge's
 *                          temporal reasoning: an anomaly persists, a lone noisy window does not)
 * @param lower             fixed escalation band (used when {@code escalationBudget == 0}): scores below are NORMAL (in (0, 1])
 * @param upper             fixed escalation band: scores at or above are ANOMALY (>= 1)
 * @param shrinkage         covariance shrinkage towards the identity (standardized units), in [0, 1]: a few hundred
 *                          heavily overlapping windows cannot pin down a full correlation matrix, and correlations
 *                          seen only in commissioning must not become alarms later
 * @param driftWindow       samples of the "slow" scale at which a channel's level wander is measured (0: off); see coupledDrift
 * @param driftTolerance    R0 (>= 1): the wander ratio R up to which a channel's level is fully trusted (see driftPower)
 * @param driftPower        level features (MEAN, MIN, MAX, LAST) of a channel whose level wanders on scales longer than
 *                          {@code driftWindow} get extra variance {@code max(0, R^p - R0^p)} (standardized units), where
 *                          R = the channel's commissioning std / its root mean variance within {@code driftWindow}-sample
 *                          windows (about 1 for a stationary channel, even one on a load cycle shorter than the window;
 *                          several for a drifting one): drift-robust levels
 * @param calibrationFolds  contiguous blocks of the commissioning rows for out-of-sample calibration scores (each
 *                          block scored, smoothed as the edge smooths, by a model fitted on other blocks, see
 *                          {@code crossFitted}): the threshold and the band are set on scores the model has not seen;
 *                          0 or 1: in-sample
 * @param escalationBudget  the share of (calibration) windows the band should escalate: lower = the
 *                          {@code 1 - escalationBudget} quantile of the calibration scores, upper = 1 / lower (a band
 *                          symmetric around the threshold on a log scale); 0: the fixed band [lower, upper)
 * @param crossFitted       false: forward-chaining calibration (each block after the first scored by a model fitted on
 *                          the blocks before it: conservative, later data drifts as it will after commissioning, but a
 *                          first block shorter than a load cycle makes the threshold far too high); true: cross-fitted
 *                          (each block scored by a model fitted on all the others: tighter, better F1 on SKAB and the
 *                          simulator, but more normal windows flagged and escalated on long drifting runs)
 * @param coupledDrift      the drift wander ratio on what the other channels do not explain (true) or on the channel
 *                          alone (false; a load cycle longer than driftWindow then counts as drift)
 * @param levelShift        the level-shift stage (see {@link dev.tandem.shared.tiny.LevelShift}), or null for none
 */
public record TinyFitConfig(int windowSize, List<Feature> features, double varianceFraction, double limitQuantile,
                            double thresholdQuantile, double smoothing, double lower, double upper,
                            double shrinkage, int driftWindow, double driftTolerance, double driftPower,
                            int calibrationFolds, double escalationBudget, boolean crossFitted,
                            boolean coupledDrift, LevelShiftFit levelShift) {
    public static final List<Feature> DEFAULT_FEATURES = List.of(Feature.MEAN, Feature.STD);
    /** The escalation budget of the defaults: about this share of normal windows is escalated. */
    public static final double DEFAULT_ESCALATION_BUDGET = 0.04;

    /**
     * How the level-shift stage is fitted.
     *
     * @param fastRate      rate of the fast average (about 1 / fastRate samples of memory), in (0, 1]
     * @param referenceRate rate at which the reference follows the level outside alarms, in [0, fastRate)
     * @param quantile      the limit (score 1.0) is this quantile of forward-chaining out-of-sample
     *                      commissioning scores, in (0.5, 1]
     */
    public record LevelShiftFit(double fastRate, double referenceRate, double quantile) {
        /** Fast average over about 8 samples, reference over about 70, limit at the 99.5% quantile. */
        public static final LevelShiftFit DEFAULT = new LevelShiftFit(0.13, 0.015, 0.995);

        public LevelShiftFit {
            if (!(fastRate > 0 && fastRate <= 1) || !(referenceRate >= 0 && referenceRate < fastRate)) {
                throw invalid("levelShift needs 0 <= referenceRate < fastRate <= 1, got " + referenceRate + ", " + fastRate);
            }
            if (!(quantile > 0.5 && quantile <= 1)) {
                throw invalid("levelShift quantile must be in (0.5, 1], got " + quantile);
            }
        }
    }

    public TinyFitConfig {
        if (windowSize < 2) {
            throw invalid("windowSize must be >= 2, got " + windowSize);
        }
        if (features == null || features.isEmpty()) {
            throw invalid("features must not be empty");
        }
        features = List.copyOf(features);
        if (new HashSet<>(features).size() != features.size()) {
            throw invalid("features must not repeat: " + features);
        }
        if (!(varianceFraction > 0 && varianceFraction <= 1)) {
            throw invalid("varianceFraction must be in (0, 1], got " + varianceFraction);
        }
        if (!(limitQuantile > 0.5 && limitQuantile <= 1)) {
            throw invalid("limitQuantile must be in (0.5, 1], got " + limitQuantile);
        }
        if (!(thresholdQuantile > 0.5 && thresholdQuantile <= 1)) {
            throw invalid("thresholdQuantile must be in (0.5, 1], got " + thresholdQuantile);
        }
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw invalid("smoothing must be in [0, 1), got " + smoothing);
        }
        if (!(lower > 0 && lower <= 1) || !(upper >= 1 && Double.isFinite(upper))) {
            throw invalid("need 0 < lower <= 1 <= upper, got lower " + lower + ", upper " + upper);
        }
        if (!(shrinkage >= 0 && shrinkage <= 1)) {
            throw invalid("shrinkage must be in [0, 1], got " + shrinkage);
        }
        if (driftWindow < 0 || (driftWindow > 0 && driftWindow < 3)) {
            throw invalid("driftWindow must be 0 (off) or >= 3, got " + driftWindow);
        }
        if (!(driftTolerance >= 1 && driftTolerance <= 10)) {
            throw invalid("driftTolerance must be in [1, 10], got " + driftTolerance);
        }
        if (!(driftPower >= 0 && driftPower <= 16)) {
            throw invalid("driftPower must be in [0, 16], got " + driftPower);
        }
        if (calibrationFolds < 0 || calibrationFolds > 20) {
            throw invalid("calibrationFolds must be in [0, 20], got " + calibrationFolds);
        }
        if (!(escalationBudget >= 0 && escalationBudget < 0.5)) {
            throw invalid("escalationBudget must be in [0, 0.5), got " + escalationBudget);
        }
    }

    /**
     * The first skeleton's settings: no shrinkage, no drift treatment, in-sample calibration and
     * a fixed band (kept for its callers).
     */
    public TinyFitConfig(int windowSize, List<Feature> features, double varianceFraction, double limitQuantile,
                         double thresholdQuantile, double smoothing, double lower, double upper) {
        this(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile, smoothing, lower, upper,
                0.0, 0, 1.0, 0.0, 0, 0.0, false, false, null);
    }

    /** The defaults with another window size (kept for callers of the first skeleton). */
    public TinyFitConfig(int windowSize) {
        this(windowSize, DEFAULT_FEATURES, 1.0, 0.99, 0.99, 0.9, 0.6, 2.0, 0.0, 60, 1.25, 6.0, 4,
                DEFAULT_ESCALATION_BUDGET, false, false, LevelShiftFit.DEFAULT);
    }

    /**
     * Window 10, MEAN/STD, 99% variance of the regularised covariance (no shrinkage; drift-robust
     * levels at a 60-sample scale, tolerance 1.25, power 6), 99% limits, threshold at the 99% quantile of forward-chaining
     * out-of-sample smoothed scores (4 blocks), score smoothing 0.9, band from a 4% escalation budget, and
     * the level-shift stage {@link LevelShiftFit#DEFAULT}.
     */
    public static TinyFitConfig defaults() {
        return new TinyFitConfig(10);
    }

    public TinyFitConfig withWindowSize(int newWindowSize) {
        return new TinyFitConfig(newWindowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget, crossFitted, coupledDrift, levelShift);
    }

    public TinyFitConfig withFeatures(List<Feature> newFeatures) {
        return new TinyFitConfig(windowSize, newFeatures, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget, crossFitted, coupledDrift, levelShift);
    }

    /** A fixed band [newLower, newUpper) instead of one derived from the escalation budget. */
    public TinyFitConfig withBand(double newLower, double newUpper) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, newLower, newUpper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, 0.0, crossFitted, coupledDrift, levelShift);
    }

    /** The band derived from this escalation budget (0: the fixed band). */
    public TinyFitConfig withEscalationBudget(double budget) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, budget, crossFitted, coupledDrift, levelShift);
    }

    public TinyFitConfig withSmoothing(double newSmoothing) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                newSmoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget, crossFitted, coupledDrift, levelShift);
    }

    public TinyFitConfig withThresholdQuantile(double quantile) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, quantile,
                smoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget, crossFitted, coupledDrift, levelShift);
    }

    public TinyFitConfig withShrinkage(double newShrinkage) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, newShrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget, crossFitted, coupledDrift, levelShift);
    }

    /** Drift-robust levels at this scale and power (window 0: off). */
    public TinyFitConfig withDrift(int window, double tolerance, double power) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, shrinkage, window, tolerance, power, calibrationFolds, escalationBudget, crossFitted, coupledDrift, levelShift);
    }

    public TinyFitConfig withCalibrationFolds(int folds) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, folds, escalationBudget, crossFitted, coupledDrift, levelShift);
    }

    /**
     * Calibration blocks scored by models fitted on all the other blocks (true) instead of only the
     * blocks before them (false, forward-chaining).
     */
    public TinyFitConfig withCrossFitting(boolean crossFit) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget,
                crossFit, coupledDrift, levelShift);
    }

    /**
     * Drift measured on what the other channels do not explain (true, see
     * TinyModelFitter.coupledWanderRatio: a level that follows the load cycle is not drift) or on the
     * channel itself (false).
     */
    public TinyFitConfig withCoupledDrift(boolean coupled) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget,
                crossFitted, coupled, levelShift);
    }

    /** With this level-shift stage (null: none). */
    public TinyFitConfig withLevelShift(LevelShiftFit fit) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget,
                crossFitted, coupledDrift, fit);
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }
}
