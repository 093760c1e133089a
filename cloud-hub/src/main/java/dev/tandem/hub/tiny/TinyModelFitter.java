package dev.tandem.hub.tiny;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.tiny.LevelShift;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.window.Feature;
import dev.tandem.shared.window.WindowFeatures;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

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
 *       with {@code coupledDrift} measured on what the other channels do not explain ({@link #coupledWanderRatio}:
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
 *   <li>level-shift stage (with {@code config.levelShift()}, see {@link #levelShift}): per channel center, spread and
 *       the scale of its fast - reference deviation on the commissioning rows, the drift weight of the level
 *       features, channels whose level swings by itself left out ({@link #CYCLE_LIMIT}: none left, no stage); its
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

    /** What one fit on a set of rows produces, before calibration. */
    private record Core(double[] center, double[] scale, double[][] components, double[] eigenvalues,
                        double t2Limit, double qLimit) {
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
        double[] inflation = driftInflation(rows, config, channels);
        double[][] x = windows(rows, 0, rows.length, w, features);
        Core core = fitCore(x, config, inflation);
        EscalationPolicy fixed = new EscalationPolicy(config.lower(), 1.0, config.upper());

        double[] weight = levelWeights(rows, config, channels);
        double[][] calibration = null;
        int folds = config.calibrationFolds();
        if (folds >= 2 && rows.length / folds >= w + 1 && n - (rows.length / folds + w) >= Math.max(MIN_WINDOWS, d + 1)) {
            calibration = crossValidated(rows, config, inflation, weight, channels, version);
        }
        double scoreScale;
        double[] calibrated;
        double[] shiftScores;
        if (calibration == null) {
            TinyModel provisional = model(version, channels, config, core, 1.0, 0.0, fixed, null);
            TinyScorer scorer = provisional.scorer();
            double[] raw = new double[n];
            for (int i = 0; i < n; i++) {
                raw[i] = scorer.rawFromFeatures(x[i].clone());
            }
            scoreScale = Math.max(CommissioningRows.quantile(raw, config.thresholdQuantile()), 1e-9);
            calibrated = raw;
            shiftScores = config.levelShift() == null ? null : inSampleShift(rows, config, weight, w);
        } else {
            scoreScale = Math.max(CommissioningRows.quantile(calibration[0], config.thresholdQuantile()), 1e-9);
            calibrated = calibration[0];
            shiftScores = calibration[2];
        }
        LevelShift shift = null;
        double[] combined = calibrated;
        double[] evidence = shiftScores == null ? new double[0] : finite(shiftScores);
        if (config.levelShift() != null && evidence.length > 0) {
            double limit = CommissioningRows.quantile(evidence, config.levelShift().quantile());
            shift = levelShift(rows, 0, rows.length, config.levelShift(), weight);
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
        return model(version, channels, config, core, scoreScale, config.smoothing(), policy, shift);
    }

    /** Burn-in of the level-shift stage when its scale is measured (its averages start cold). */
    static final int SHIFT_BURN_IN = 30;

    /**
     * The level-shift stage fitted on rows [from, to): center / spread per channel, and scale = the
     * standard deviation of fast - reference over those rows (after a burn-in), the stage running freely
     * (no hold); weight from the drift measure; limit 1 (set by calibration).
     */
    static LevelShift levelShift(double[][] rows, int from, int to, TinyFitConfig.LevelShiftFit fit, double[] weight) {
        int channels = rows[0].length;
        int n = to - from;
        double[] center = new double[channels];
        double[] spread = new double[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int t = from; t < to; t++) {
                sum += rows[t][c];
            }
            double mean = sum / n;
            double ss = 0;
            for (int t = from; t < to; t++) {
                double e = rows[t][c] - mean;
                ss += e * e;
            }
            center[c] = mean;
            spread[c] = Math.max(Math.sqrt(ss / n), 1e-6 * Math.max(1.0, Math.abs(mean)));
        }
        double[] ones = new double[channels];
        Arrays.fill(ones, 1.0);
        LevelShift unscaled = new LevelShift(fit.fastRate(), fit.referenceRate(), center, spread, ones, weight, 1.0);
        LevelShift.Tracker tracker = unscaled.tracker();
        tracker.start(rows, from, to);
        int burn = Math.min(SHIFT_BURN_IN, n / 3);
        double[] dev = new double[channels];
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        for (int t = from; t < to; t++) {
            tracker.update(rows[t], false);
            if (t - from >= burn) {
                tracker.deviation(dev);
                for (int c = 0; c < channels; c++) {
                    sum[c] += dev[c];
                    sumSq[c] += dev[c] * dev[c];
                }
            }
        }
        int m = n - burn;
        double[] scale = new double[channels];
        double[] gated = weight.clone();
        double noise = noiseDeviation(fit.fastRate(), fit.referenceRate());
        for (int c = 0; c < channels; c++) {
            double mean = sum[c] / m;
            scale[c] = Math.max(Math.sqrt(Math.max(0, sumSq[c] / m - mean * mean)), 1e-9);
            if (scale[c] > CYCLE_LIMIT * noise) {
                gated[c] = 0; // the level swings by itself (a load cycle): no small lasting shift can be told from it
            }
        }
        return new LevelShift(fit.fastRate(), fit.referenceRate(), center, spread, scale, gated, 1.0);
    }

    /**
     * A channel whose fast - reference deviation varies more than this many times what white noise of
     * the same variance would give is not watched for level shifts: its level moves by itself faster
     * than the reference follows (a load cycle, a control loop). Measured (numpy, default rates): SKAB
     * valve1's channels 0.8-3.4 (its flow, where a closing valve shows, 0.8-1.3), the simulator's
     * load-cycled channels 3.0-3.7.
     */
    static final double CYCLE_LIMIT = 2.0;

    /** Standard deviation of fast - reference on unit white noise: the two exponential averages' difference. */
    static double noiseDeviation(double a, double b) {
        return Math.sqrt(a / (2 - a) + b / (2 - b) - 2 * a * b / (a + b - a * b));
    }

    /** Per channel, how far its level is trusted: 1 / sqrt(1 + the drift excess), see {@link #driftExcess}. */
    static double[] levelWeights(double[][] rows, TinyFitConfig config, int channels) {
        double[] out = new double[channels];
        Arrays.fill(out, 1.0);
        double[] excess = driftExcess(rows, config);
        if (excess != null) {
            for (int c = 0; c < channels; c++) {
                out[c] = 1 / Math.sqrt(1 + excess[c]);
            }
        }
        return out;
    }

    /** In-sample level-shift scores (limit 1) of the windows ending at rows w - 1 .. end: the fallback without folds. */
    private static double[] inSampleShift(double[][] rows, TinyFitConfig config, double[] weight, int w) {
        LevelShift.Tracker tracker = levelShift(rows, 0, rows.length, config.levelShift(), weight).tracker();
        tracker.start(rows, 0, w);
        double[] out = new double[rows.length - w + 1];
        for (int t = 0; t < rows.length; t++) {
            double s = tracker.update(rows[t], false);
            if (t >= w - 1) {
                out[t - w + 1] = t < SHIFT_BURN_IN ? Double.NaN : s;
            }
        }
        return out;
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
        double lower = Math.max(Math.min(CommissioningRows.quantile(s, 1 - budget), 1 / MIN_BAND), 1e-3);
        return new EscalationPolicy(lower, 1.0, 1 / lower);
    }

    private static TinyModel model(String version, int channels, TinyFitConfig config, Core core, double scoreScale,
                                   double smoothing, EscalationPolicy policy, LevelShift shift) {
        return new TinyModel(TinyModel.FORMAT, version, channels, config.windowSize(), config.features(),
                core.center(), core.scale(), core.components(), core.eigenvalues(), core.t2Limit(), core.qLimit(),
                scoreScale, smoothing, policy, shift);
    }

    /**
     * Out-of-sample calibration scores: each contiguous block after the first is scored, window by window
     * and smoothed as the edge runtime does, by a model fitted on the rows before it only
     * (forward-chaining: as later data is scored by a model fitted on earlier data, slow drift shows up
     * here), or, with {@code crossFitted}, every block by a model fitted on all the other blocks; in that
     * model's raw units (T2/t2Limit + Q/qLimit, comparable across fits); returns {smoothed, unsmoothed}.
     */
    private static double[][] crossValidated(double[][] rows, TinyFitConfig config, double[] inflation, double[] weight,
                                             int channels, String version) {
        int folds = config.calibrationFolds();
        int w = config.windowSize();
        List<Feature> features = config.features();
        int block = rows.length / folds;
        double[] out = new double[rows.length];
        double[] outRaw = new double[rows.length];
        double[] outShift = new double[rows.length];
        int count = 0;
        for (int f = 0; f < folds; f++) {
            int from = f * block;
            int to = f == folds - 1 ? rows.length : from + block;
            if (f == 0 && !config.crossFitted()) {
                continue; // forward-chaining: nothing before it to fit on
            }
            double[][] before = from >= w ? windows(rows, 0, from, w, features) : new double[0][];
            if (config.crossFitted() && rows.length - to >= w) {
                double[][] after = windows(rows, to, rows.length, w, features);
                double[][] both = Arrays.copyOf(before, before.length + after.length);
                System.arraycopy(after, 0, both, before.length, after.length);
                before = both;
            }
            if (before.length < MIN_WINDOWS) {
                continue;
            }
            Core core = fitCore(before, config, inflation);
            TinyModel m = model(version, channels, config, core, 1.0, config.smoothing(),
                    EscalationPolicy.edgeOnly(1.0), null);
            TinyScorer scorer = m.scorer();
            // the level-shift stage, forward-chaining only: fitted on the rows before the block, run freely up to it
            LevelShift.Tracker shift = null;
            if (config.levelShift() != null && from >= 2 * SHIFT_BURN_IN) {
                shift = levelShift(rows, 0, from, config.levelShift(), weight).tracker();
                shift.start(rows, 0, from);
                for (int t = 0; t < from; t++) {
                    shift.update(rows[t], false);
                }
            }
            double[][] window = new double[w][];
            int first = count;
            for (int end = from + w; end <= to; end++) {
                System.arraycopy(rows, end - w, window, 0, w);
                out[count] = scorer.score(window);
                outRaw[count++] = scorer.lastRaw();
            }
            for (int t = from, i = first - (w - 1); t < to; t++, i++) {
                double s = shift == null ? Double.NaN : shift.update(rows[t], false);
                if (i >= first) {
                    outShift[i] = s;
                }
            }
        }
        return new double[][]{Arrays.copyOf(out, count), Arrays.copyOf(outRaw, count), Arrays.copyOf(outShift, count)};
    }

    /** Feature vectors of every window of rows [from, to). */
    private static double[][] windows(double[][] rows, int from, int to, int w, List<Feature> features) {
        int channels = rows[0].length;
        int n = to - from - w + 1;
        double[][] x = new double[Math.max(0, n)][WindowFeatures.dimension(features, channels)];
        double[][] window = new double[w][];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows, from + i, window, 0, w);
            WindowFeatures.extract(window, features, x[i]);
        }
        return x;
    }

    /** Extra variance (standardized units) of each feature: R^p - 1 for level features of wandering channels, else 0. */
    static double[] driftInflation(double[][] rows, TinyFitConfig config, int channels) {
        List<Feature> features = config.features();
        double[] out = new double[WindowFeatures.dimension(features, channels)];
        double[] excess = driftExcess(rows, config);
        if (excess == null) {
            return out;
        }
        for (int f = 0; f < features.size(); f++) {
            if (!isLevel(features.get(f))) {
                continue;
            }
            System.arraycopy(excess, 0, out, f * channels, channels);
        }
        return out;
    }

    /**
     * Per channel, how far its level wandered beyond the tolerance during commissioning:
     * max(0, R^p - R0^p) with R the wander ratio at the drift window's scale; null with the drift
     * treatment off. The window features' level variance is inflated by it, the level-shift stage's
     * channel weight is 1 / sqrt(1 + it).
     */
    private static double[] driftExcess(double[][] rows, TinyFitConfig config) {
        if (config.driftWindow() == 0 || config.driftPower() == 0) {
            return null;
        }
        int m = Math.max(3, Math.min(config.driftWindow(), rows.length / 4));
        double[] ratio = config.coupledDrift() ? coupledWanderRatio(rows, m) : wanderRatio(rows, m);
        double[] out = new double[ratio.length];
        for (int c = 0; c < ratio.length; c++) {
            out[c] = Math.max(0, Math.pow(ratio[c], config.driftPower()) - Math.pow(config.driftTolerance(), config.driftPower()));
        }
        return out;
    }

    private static boolean isLevel(Feature f) {
        return f == Feature.MEAN || f == Feature.MIN || f == Feature.MAX || f == Feature.LAST;
    }

    /**
     * Per channel: the wander ratio ({@link #wanderRatio}) of what the other channels do not explain.
     * A load cycle moves a machine's channels together, fast (its ramps) and slow (its period) alike;
     * drift moves a channel on its own, only slowly. So each channel is regressed (standardized, a
     * little ridge) on the others using only the within-window variation (every m-row block de-meaned:
     * the fast coupling, which drift does not contribute to), and that coupling is taken out of the
     * whole signal: a level that follows the load cycle gives a residual that does not wander (ratio
     * about 1, its level stays trusted), a drifting one keeps its wander. With one channel it is
     * {@link #wanderRatio}.
     */
    public static double[] coupledWanderRatio(double[][] rows, int m) {
        int channels = rows[0].length;
        int n = rows.length;
        if (channels < 2 || n < 2 * m) {
            return wanderRatio(rows, m);
        }
        double[] mu = new double[channels];
        double[] sd = new double[channels];
        for (int c = 0; c < channels; c++) {
            double s = 0, ss = 0;
            for (double[] row : rows) {
                s += row[c];
                ss += row[c] * row[c];
            }
            mu[c] = s / n;
            double v = Math.max(0, ss / n - mu[c] * mu[c]);
            sd[c] = Math.sqrt(v) > 1e-9 * Math.max(1.0, Math.abs(mu[c])) ? Math.sqrt(v) : 0;
        }
        int blocks = n / m;
        double[][] fast = new double[blocks * m][channels];
        for (int b = 0; b < blocks; b++) {
            for (int c = 0; c < channels; c++) {
                if (sd[c] == 0) {
                    continue;
                }
                double s = 0;
                for (int t = b * m; t < (b + 1) * m; t++) {
                    s += rows[t][c];
                }
                double bm = s / m;
                for (int t = b * m; t < (b + 1) * m; t++) {
                    fast[t][c] = (rows[t][c] - bm) / sd[c];
                }
            }
        }
        double[] out = new double[channels];
        double[][] residual = new double[n][1];
        for (int c = 0; c < channels; c++) {
            if (sd[c] == 0) {
                out[c] = 1.0;
                continue;
            }
            int k = channels - 1;
            double[][] a = new double[k][k];
            double[] rhs = new double[k];
            for (int i = 0, oi = 0; oi < channels; oi++) {
                if (oi == c) {
                    continue;
                }
                for (int j = 0, oj = 0; oj < channels; oj++) {
                    if (oj == c) {
                        continue;
                    }
                    double s = 0;
                    for (double[] f : fast) {
                        s += f[oi] * f[oj];
                    }
                    a[i][j] = s;
                    j++;
                }
                double s = 0;
                for (double[] f : fast) {
                    s += f[oi] * f[c];
                }
                rhs[i] = s;
                a[i][i] += 1e-3 * fast.length; // ridge (standardized units)
                i++;
            }
            double[] beta = solve(a, rhs);
            for (int t = 0; t < n; t++) {
                double r = (rows[t][c] - mu[c]) / sd[c];
                for (int i = 0, oi = 0; oi < channels; oi++) {
                    if (oi == c) {
                        continue;
                    }
                    if (sd[oi] > 0) {
                        r -= beta[i] * (rows[t][oi] - mu[oi]) / sd[oi];
                    }
                    i++;
                }
                residual[t][0] = r;
            }
            out[c] = wanderRatio(residual, m)[0];
        }
        return out;
    }

    /** Solves a small symmetric positive definite system (Gaussian elimination with partial pivoting). */
    private static double[] solve(double[][] matrix, double[] rhs) {
        int k = rhs.length;
        double[][] a = new double[k][];
        for (int i = 0; i < k; i++) {
            a[i] = Arrays.copyOf(matrix[i], k + 1);
            a[i][k] = rhs[i];
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            if (Math.abs(a[col][col]) < 1e-300) {
                continue;
            }
            for (int r = col + 1; r < k; r++) {
                double f = a[r][col] / a[col][col];
                for (int j = col; j <= k; j++) {
                    a[r][j] -= f * a[col][j];
                }
            }
        }
        double[] x = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            double s = a[i][k];
            for (int j = i + 1; j < k; j++) {
                s -= a[i][j] * x[j];
            }
            x[i] = Math.abs(a[i][i]) < 1e-300 ? 0 : s / a[i][i];
        }
        return x;
    }

    /** Per channel: the standard deviation over all rows / the root mean variance inside m-row windows (>= ~1). */
    public static double[] wanderRatio(double[][] rows, int m) {
        int channels = rows[0].length;
        int n = rows.length;
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0, sumSq = 0;
            for (double[] row : rows) {
                sum += row[c];
                sumSq += row[c] * row[c];
            }
            double mean = sum / n;
            double total = Math.max(0, sumSq / n - mean * mean);
            double s = 0, ss = 0, within = 0;
            for (int t = 0; t < n; t++) {
                s += rows[t][c];
                ss += rows[t][c] * rows[t][c];
                if (t >= m) {
                    s -= rows[t - m][c];
                    ss -= rows[t - m][c] * rows[t - m][c];
                }
                if (t >= m - 1) {
                    double mu = s / m;
                    within += Math.max(0, ss / m - mu * mu);
                }
            }
            within /= (n - m + 1);
            double floor = 1e-12 * Math.max(1.0, mean * mean);
            out[c] = within <= floor ? 1.0 : Math.sqrt(total / within);
        }
        return out;
    }

    /** Center, scale, regularised PCA and limits of a set of feature vectors. */
    private static Core fitCore(double[][] x, TinyFitConfig config, double[] inflation) {
        int n = x.length;
        int d = x[0].length;
        double[] center = new double[d];
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += x[i][j];
            }
            double mean = sum / n;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double e = x[i][j] - mean;
                ss += e * e;
            }
            center[j] = mean;
            scale[j] = Math.max(Math.sqrt(ss / n), 1e-6 * Math.max(1.0, Math.abs(mean)));
        }

        double[][] z = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - center[j]) / scale[j];
            }
        }
        double lambda = config.shrinkage();
        double[][] sample = new double[d][d];
        double[][] cov = new double[d][d];
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += z[i][a] * z[i][b];
                }
                sample[a][b] = s / (n - 1);
                sample[b][a] = sample[a][b];
                double v = (1 - lambda) * s / (n - 1) + (a == b ? lambda + inflation[a] : 0);
                cov[a][b] = v;
                cov[b][a] = v;
            }
        }
        Eigen eig = Eigen.symmetric(cov);
        double total = 0;
        for (double v : eig.values) {
            total += Math.max(0, v);
        }
        int positive = 0;
        while (positive < d && eig.values[positive] > 1e-10 * Math.max(total, 1e-300)) {
            positive++;
        }
        // how many components: by the variance they explain in the data (the drift inflation is a
        // prior on the future, not variance seen; counting it would leave only the drifting levels)
        double seen = 0;
        for (int a = 0; a < d; a++) {
            seen += sample[a][a];
        }
        int k = 0;
        double explained = 0;
        while (k < positive && k < (config.varianceFraction() >= 1 ? d : Math.max(1, d - 1)) && explained < config.varianceFraction() * seen) {
            explained += quadratic(sample, eig.vector(k));
            k++;
        }
        double[][] components = new double[k][];
        double[] eigenvalues = new double[k];
        for (int j = 0; j < k; j++) {
            components[j] = eig.vector(j);
            eigenvalues[j] = eig.values[j];
        }

        double[] t2 = new double[n];
        double[] q = new double[n];
        for (int i = 0; i < n; i++) {
            double norm2 = 0;
            for (int a = 0; a < d; a++) {
                norm2 += z[i][a] * z[i][a];
            }
            double sumT2 = 0, sumTT = 0;
            for (int j = 0; j < k; j++) {
                double t = 0;
                for (int a = 0; a < d; a++) {
                    t += components[j][a] * z[i][a];
                }
                sumT2 += t * t / eigenvalues[j];
                sumTT += t * t;
            }
            t2[i] = sumT2;
            q[i] = Math.max(0, norm2 - sumTT);
        }
        double t2Limit = k == 0 ? 1.0 : Math.max(CommissioningRows.quantile(t2, config.limitQuantile()), 1e-9);
        // every component kept (varianceFraction 1): Q is identically 0, a pure (regularised) T2
        double qLimit = k == d ? 1.0 : Math.max(CommissioningRows.quantile(q, config.limitQuantile()), 1e-9);
        return new Core(center, scale, components, eigenvalues, t2Limit, qLimit);
    }

    private static double quadratic(double[][] m, double[] v) {
        double s = 0;
        for (int a = 0; a < v.length; a++) {
            double row = 0;
            for (int b = 0; b < v.length; b++) {
                row += m[a][b] * v[b];
            }
            s += v[a] * row;
        }
        return s;
    }



    /** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations; values descending. */
    static final class Eigen {
        final double[] values;
        /** vectors[row][col]: column j is the eigenvector of values[j]. */
        final double[][] vectors;

        private Eigen(double[] values, double[][] vectors) {
            this.values = values;
            this.vectors = vectors;
        }

        double[] vector(int j) {
            int d = values.length;
            double[] v = new double[d];
            int argMax = 0;
            for (int i = 0; i < d; i++) {
                v[i] = vectors[i][j];
                if (Math.abs(v[i]) > Math.abs(v[argMax]) + 1e-12) {
                    argMax = i;
                }
            }
            if (v[argMax] < 0) {
                for (int i = 0; i < d; i++) {
                    v[i] = -v[i];
                }
            }
            return v;
        }

        static Eigen symmetric(double[][] matrix) {
            int d = matrix.length;
            double[][] a = new double[d][];
            for (int i = 0; i < d; i++) {
                a[i] = matrix[i].clone();
            }
            double[][] v = new double[d][d];
            for (int i = 0; i < d; i++) {
                v[i][i] = 1;
            }
            for (int sweep = 0; sweep < 100; sweep++) {
                double off = 0, diag = 0;
                for (int p = 0; p < d; p++) {
                    diag += a[p][p] * a[p][p];
                    for (int r = p + 1; r < d; r++) {
                        off += a[p][r] * a[p][r];
                    }
                }
                if (off <= 1e-30 * Math.max(diag, 1e-300)) {
                    break;
                }
                for (int p = 0; p < d - 1; p++) {
                    for (int r = p + 1; r < d; r++) {
                        double apr = a[p][r];
                        if (apr == 0) {
                            continue;
                        }
                        double theta = (a[r][r] - a[p][p]) / (2 * apr);
                        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                        if (theta == 0) {
                            t = 1;
                        }
                        double c = 1 / Math.sqrt(t * t + 1);
                        double s = t * c;
                        for (int i = 0; i < d; i++) {
                            double aip = a[i][p], air = a[i][r];
                            a[i][p] = c * aip - s * air;
                            a[i][r] = s * aip + c * air;
                        }
                        for (int i = 0; i < d; i++) {
                            double api = a[p][i], ari = a[r][i];
                            a[p][i] = c * api - s * ari;
                            a[r][i] = s * api + c * ari;
                        }
                        for (int i = 0; i < d; i++) {
                            double vip = v[i][p], vir = v[i][r];
                            v[i][p] = c * vip - s * vir;
                            v[i][r] = s * vip + c * vir;
                        }
                    }
                }
            }
            Integer[] order = new Integer[d];
            for (int i = 0; i < d; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
            double[] values = new double[d];
            double[][] vectors = new double[d][d];
            for (int j = 0; j < d; j++) {
                values[j] = a[order[j]][order[j]];
                for (int i = 0; i < d; i++) {
                    vectors[i][j] = v[i][order[j]];
                }
            }
            return new Eigen(values, vectors);
        }
    }
}
