package dev.tandem.hub.tiny;

import dev.tandem.hub.stats.Quantiles;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.tiny.LevelShift;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.window.Feature;
import dev.tandem.shared.window.WindowFeatures;
import dev.tandem.shared.wire.Checks;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Fits a device's {@link TinyModel} (PCA T2 + Q over window features) on its commissioning rows.
 *
 * <ol>
 *   <li>every window of {@code windowSize} consecutive rows (stride 1) gives a feature vector
 *       (feature-major, as {@link WindowFeatures} lays it out);</li>
 *   <li>center = column mean, scale = column standard deviation, floored at
 *       {@code 1e-6 * max(1, |center|)} so that a constant channel gives neither 0 nor NaN;</li>
 *   <li>the covariance of the standardized features is regularised: shrunk towards the identity
 *       ({@code shrinkage}), and the level features (MEAN, MIN, MAX, LAST) of each channel get the extra
 *       variance {@code max(0, R^p - R0^p)} (p = driftPower, R0 = driftTolerance), R being how much the channel's level wanders on scales longer than
 *       {@code driftWindow} samples (its commissioning standard deviation over its mean standard deviation
 *       inside {@code driftWindow}-sample windows: 1 for a stationary channel, several for a drifting one),
 *       with {@code coupledDrift} measured on what the other channels do not explain ({@link dev.tandem.hub.stats.Wander#coupled}:
 *       a load cycle moves the channels together and is not drift).
 *       A few hundred commissioning rows cannot show how far a slowly drifting level will go, so the model
 *       trusts such a level less: drift-robust levels, while a stationary channel's level keeps its weight;</li>
 *   <li>PCA of that covariance (cyclic Jacobi, deterministic): the fewest components
 *       reaching {@code varianceFraction} of the variance seen in the data, at least 1 and at most d - 1 (so
 *       that Q watches the residual), or all d with {@code varianceFraction} 1 (a pure T2 of the regularised
 *       covariance, Q = 0), only directions with positive variance;</li>
 *   <li>t2Limit / qLimit = the {@code limitQuantile} of the commissioning T2 / Q;</li>
 *   <li>calibration: with {@code calibrationFolds >= 2} the rows are cut into that many contiguous blocks;
 *       each block after the first is scored (smoothed exactly as the edge runtime smooths) by a model fitted
 *       as above on the blocks before it (or, {@code crossFitted}, every block on all the other blocks), so that the calibration scores are out-of-sample and later, as
 *       data after commissioning will be
 *       (in-sample scores understate them: the model has fitted their noise). scoreScale = the
 *       {@code thresholdQuantile} of those scores, so that the edge threshold 1.0 flags about
 *       1 - thresholdQuantile of normal windows; without folds, of the in-sample raw scores;</li>
 *   <li>level-shift stage (with {@code config.levelShift()}, see {@link LevelShiftFitter}): per channel center, spread and
 *       the scale of its fast - reference deviation on the commissioning rows, the drift weight of the level
 *       features, channels whose level swings by itself left out ({@link LevelShiftFitter#CYCLE_LIMIT}: none left, no stage); its
 *       limit is the {@code levelShift().quantile()} of its forward-chaining out-of-sample scores (each calibration
 *       block scored by a stage fitted on the rows before it);</li>
 *   <li>policy: with an {@code escalationBudget}, see {@link #budgetBand}: lower = the {@code 1 - escalationBudget}
 *       quantile of the calibrated calibration scores (the larger of the window statistic's and the level-shift
 *       stage's), threshold 1.0, upper = 1 / lower; else [lower, 1.0, upper) from the config.</li>
 * </ol>
 * Deterministic: the same rows and config give an identical model.
 */
public final class TinyModelFitter {
    /** Fewest windows a fit accepts. */
    public static final int MIN_WINDOWS = 20;
    /** A band edge never comes closer to the threshold than this factor (lower <= 1/MIN_BAND, upper >= MIN_BAND). */
    static final double MIN_BAND = 1.05;

    private TinyModelFitter() {
    }

    public static TinyModel fit(double[][] rows, TinyFitConfig config, String version) {
        Objects.requireNonNull(config, "config");
        Checks.nonBlank("version", version);
        int channels = CommissioningRows.channels(rows);
        int w = config.windowSize();
        List<Feature> features = config.features();
        int d = WindowFeatures.dimension(features, channels);
        int n = rows.length - w + 1;
        if (n < Math.max(MIN_WINDOWS, d + 1)) {
            throw TandemException.invalid("need at least " + (Math.max(MIN_WINDOWS, d + 1) + w - 1)
                    + " commissioning rows for window " + w + " and " + d + " features, got " + rows.length);
        }
        double[] inflation = DriftWeights.inflation(rows, config, channels);
        double[][] x = PcaCore.windows(rows, 0, rows.length, w, features);
        PcaCore core = PcaCore.fit(x, config, inflation);
        EscalationPolicy fixed = new EscalationPolicy(config.lower(), 1.0, config.upper());

        double[] weight = DriftWeights.levelWeights(rows, config, channels);
        CalibrationScores calibration = null;
        int folds = config.calibrationFolds();
        if (folds >= 2 && rows.length / folds >= w + 1 && n - (rows.length / folds + w) >= Math.max(MIN_WINDOWS, d + 1)) {
            calibration = CalibrationScores.outOfSample(rows, config, inflation, weight, channels, version);
        }
        double scoreScale;
        double[] calibrated;
        double[] shiftScores;
        if (calibration == null) {
            TinyScorer scorer = core.model(version, channels, config, 1.0, 0.0, fixed, null).scorer();
            double[] raw = new double[n];
            for (int i = 0; i < n; i++) {
                raw[i] = scorer.rawFromFeatures(x[i].clone());
            }
            scoreScale = Math.max(Quantiles.quantile(raw, config.thresholdQuantile()), 1e-9);
            calibrated = raw;
            shiftScores = config.levelShift() == null ? null
                    : LevelShiftFitter.inSampleScores(rows, config.levelShift(), weight, w);
        } else {
            scoreScale = Math.max(Quantiles.quantile(calibration.smoothed(), config.thresholdQuantile()), 1e-9);
            calibrated = calibration.smoothed();
            shiftScores = calibration.levelShift();
        }
        LevelShift shift = null;
        double[] combined = calibrated;
        double[] evidence = shiftScores == null ? new double[0] : finite(shiftScores);
        if (config.levelShift() != null && evidence.length > 0) {
            double limit = Quantiles.quantile(evidence, config.levelShift().quantile());
            shift = LevelShiftFitter.fit(rows, 0, rows.length, config.levelShift(), weight);
            if (!(limit > 1e-9) || Arrays.stream(shift.weight()).allMatch(v -> v == 0)) {
                shift = null; // no channel quiet enough to watch
            } else {
                shift = shift.withLimit(limit);
            }
        }
        if (shift != null) {
            double limit = shift.limit();
            combined = new double[calibrated.length];
            for (int i = 0; i < combined.length; i++) {
                double sh = shiftScores[i] / limit;
                combined[i] = Double.isNaN(sh) ? calibrated[i] : Math.max(calibrated[i], sh * scoreScale);
            }
        }
        EscalationPolicy policy = fixed;
        if (config.escalationBudget() > 0) {
            policy = budgetBand(combined, scoreScale, config.escalationBudget());
        }
        return core.model(version, channels, config, scoreScale, config.smoothing(), policy, shift);
    }

    private static double[] finite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).toArray();
    }

    /**
     * The escalation band from the budget: lower = the {@code 1 - budget} quantile of the calibrated
     * (smoothed) calibration scores, at most 1 / MIN_BAND, upper = 1 / lower (symmetric around the
     * threshold on a log scale), so that about that share of normal windows is escalated.
     * (Escalating also on temporal disagreement, the newest window's unsmoothed score beyond the band
     * while the smoothed one is NORMAL, was measured: no F1 gain on SKAB or the simulator, and twice the
     * budget on long normal simulator runs; not used.)
     */
    static EscalationPolicy budgetBand(double[] smoothed, double scoreScale, double budget) {
        double[] s = new double[smoothed.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = smoothed[i] / scoreScale;
        }
        double lower = Math.max(Math.min(Quantiles.quantile(s, 1 - budget), 1 / MIN_BAND), 1e-3);
        return new EscalationPolicy(lower, 1.0, 1 / lower);
    }
}
