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
     * Window 10, MEAN/STD, 99% variance of the regularised covariance (no shrinkage; drift-robust
     * levels at a 60-sample scale, tolerance 1.25, power 6), 99% limits, threshold at the 99% quantile of forward-chaining
     * out-of-sample smoothed scores (4 blocks), score smoothing 0.9, band from a 4% escalation budget, and
     * the level-shift stage {@link LevelShiftFit#DEFAULT}.
     */
    public static TinyFitConfig defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder().windowSize(windowSize).features(features).varianceFraction(varianceFraction).
                limitQuantile(limitQuantile).thresholdQuantile(thresholdQuantile).smoothing(smoothing).
                lower(lower).upper(upper).shrinkage(shrinkage).driftWindow(driftWindow).
                driftTolerance(driftTolerance).driftPower(driftPower).calibrationFolds(calibrationFolds).
                escalationBudget(escalationBudget).crossFitted(crossFitted).coupledDrift(coupledDrift).
                levelShift(levelShift);
    }

    /** Mutable builder of a {@link TinyFitConfig}; {@link #build()} validates. */
    public static final class Builder {
        private int windowSize = 10;
        private List<Feature> features = DEFAULT_FEATURES;
        private double varianceFraction = 1.0;
        private double limitQuantile = 0.99;
        private double thresholdQuantile = 0.99;
        private double smoothing = 0.9;
        private double lower = 0.6;
        private double upper = 2.0;
        private double shrinkage = 0.0;
        private int driftWindow = 60;
        private double driftTolerance = 1.25;
        private double driftPower = 6.0;
        private int calibrationFolds = 4;
        private double escalationBudget = DEFAULT_ESCALATION_BUDGET;
        private boolean crossFitted = false;
        private boolean coupledDrift = false;
        private LevelShiftFit levelShift = LevelShiftFit.DEFAULT;

        private Builder() {
        }

        public Builder windowSize(int windowSize) {
            this.windowSize = windowSize;
            return this;
        }

        public Builder features(List<Feature> features) {
            this.features = features;
            return this;
        }

        public Builder varianceFraction(double varianceFraction) {
            this.varianceFraction = varianceFraction;
            return this;
        }

        public Builder limitQuantile(double limitQuantile) {
            this.limitQuantile = limitQuantile;
            return this;
        }

        public Builder thresholdQuantile(double thresholdQuantile) {
            this.thresholdQuantile = thresholdQuantile;
            return this;
        }

        public Builder smoothing(double smoothing) {
            this.smoothing = smoothing;
            return this;
        }

        public Builder lower(double lower) {
            this.lower = lower;
            return this;
        }

        public Builder upper(double upper) {
            this.upper = upper;
            return this;
        }

        public Builder shrinkage(double shrinkage) {
            this.shrinkage = shrinkage;
            return this;
        }

        public Builder driftWindow(int driftWindow) {
            this.driftWindow = driftWindow;
            return this;
        }

        public Builder driftTolerance(double driftTolerance) {
            this.driftTolerance = driftTolerance;
            return this;
        }

        public Builder driftPower(double driftPower) {
            this.driftPower = driftPower;
            return this;
        }

        public Builder calibrationFolds(int calibrationFolds) {
            this.calibrationFolds = calibrationFolds;
            return this;
        }

        /** The band derived from this escalation budget (0: the fixed band [lower, upper)). */
        public Builder escalationBudget(double escalationBudget) {
            this.escalationBudget = escalationBudget;
            return this;
        }

        /** Calibration blocks scored by models fitted on all the other blocks (true) or only the blocks before them (false). */
        public Builder crossFitted(boolean crossFitted) {
            this.crossFitted = crossFitted;
            return this;
        }

        /** Drift measured on what the other channels do not explain (true, see {@link dev.tandem.hub.stats.Wander#coupled}) or on the channel itself. */
        public Builder coupledDrift(boolean coupledDrift) {
            this.coupledDrift = coupledDrift;
            return this;
        }

        /** The level-shift stage (null: none). */
        public Builder levelShift(LevelShiftFit levelShift) {
            this.levelShift = levelShift;
            return this;
        }

        /** A fixed band [lower, upper) instead of one derived from the escalation budget (the budget set to 0). */
        public Builder band(double lower, double upper) {
            this.lower = lower;
            this.upper = upper;
            this.escalationBudget = 0.0;
            return this;
        }

        public TinyFitConfig build() {
            return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile, smoothing,
                    lower, upper, shrinkage, driftWindow, driftTolerance, driftPower, calibrationFolds, escalationBudget,
                    crossFitted, coupledDrift, levelShift);
        }
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }
}
