package dev.tandem.hub.tiny;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.window.Feature;
import dev.tandem.shared.window.WindowFeatures;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.wire.ErrorCode;
import dev.tandem.shared.wire.TandemException;

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
 *       inside {@code driftWindow}-sample windows: 1 for a stationary channel, several for a drifting one).
 *       A few hundred commissioning rows cannot show how far a slowly drifting level will go, so the model
 *       trusts such a level less: drift-robust levels, while a stationary channel's level keeps its weight;</li>
 *   <li>PCA of that covariance (cyclic Jacobi, deterministic): the fewest components
 *       reaching {@code varianceFraction} of the variance seen in the data, at least 1 and at most d - 1 (so
 *       that Q watches the residual), or all d with {@code varianceFraction} 1 (a pure T2 of the regularised
 *       covariance, Q = 0), only directions with positive variance;</li>
 *   <li>t2Limit / qLimit = the {@code limitQuantile} of the commissioning T2 / Q;</li>
 *   <li>calibration: with {@code calibrationFolds >= 2} the rows are cut into that many contiguous blocks;
 *       each block after the first is scored (smoothed exactly as the edge runtime smooths) by a model fitted
 *       as above on the blocks before it, so that the calibration scores are out-of-sample and later, as
 *       data after commissioning will be
 *       (in-sample scores understate them: the model has fitted their noise). scoreScale = the
 *       {@code thresholdQuantile} of those scores, so that the edge threshold 1.0 flags about
 *       1 - thresholdQuantile of normal windows; without folds, of the in-sample raw scores;</li>
 *   <li>policy: with an {@code escalationBudget}, lower = the {@code 1 - escalationBudget} quantile of the
 *       calibrated calibration scores (so that about that share of normal windows is escalated),
 *       threshold 1.0, upper = 1 / lower; else [lower, 1.0, upper) from the config.</li>
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
        int channels = checkRows(rows);
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

        double[] calibration = null;
        int folds = config.calibrationFolds();
        if (folds >= 2 && rows.length / folds >= w + 1 && n - (rows.length / folds + w) >= Math.max(MIN_WINDOWS, d + 1)) {
            calibration = crossValidated(rows, config, inflation, channels, version);
        }
        double scoreScale;
        double[] calibrated;
        if (calibration == null) {
            TinyModel provisional = model(version, channels, config, core, 1.0, 0.0, fixed);
            TinyScorer scorer = provisional.scorer();
            double[] raw = new double[n];
            for (int i = 0; i < n; i++) {
                raw[i] = scorer.rawFromFeatures(x[i].clone());
            }
            scoreScale = Math.max(quantile(raw, config.thresholdQuantile()), 1e-9);
            calibrated = raw;
        } else {
            scoreScale = Math.max(quantile(calibration, config.thresholdQuantile()), 1e-9);
            calibrated = calibration;
        }
        EscalationPolicy policy = fixed;
        if (config.escalationBudget() > 0) {
            double[] s = new double[calibrated.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = calibrated[i] / scoreScale;
            }
            double lower = Math.min(quantile(s, 1 - config.escalationBudget()), 1 / MIN_BAND);
            lower = Math.max(lower, 1e-3);
            policy = new EscalationPolicy(lower, 1.0, 1 / lower);
        }
        return model(version, channels, config, core, scoreScale, config.smoothing(), policy);
    }

    private static TinyModel model(String version, int channels, TinyFitConfig config, Core core, double scoreScale,
                                   double smoothing, EscalationPolicy policy) {
        return new TinyModel(TinyModel.FORMAT, version, channels, config.windowSize(), config.features(),
                core.center(), core.scale(), core.components(), core.eigenvalues(), core.t2Limit(), core.qLimit(),
                scoreScale, smoothing, policy);
    }

    /**
     * Out-of-sample calibration scores, forward-chaining: each contiguous block after the first is
     * scored, window by window and smoothed as the edge runtime does, by a model fitted on the rows
     * before it only (as later data is scored by a model fitted on earlier data: slow drift shows up
     * here, where an interpolating split would hide it), in that model's raw units
     * (T2/t2Limit + Q/qLimit, comparable across fits).
     */
    private static double[] crossValidated(double[][] rows, TinyFitConfig config, double[] inflation, int channels,
                                           String version) {
        int folds = config.calibrationFolds();
        int w = config.windowSize();
        List<Feature> features = config.features();
        int block = rows.length / folds;
        double[] out = new double[rows.length];
        int count = 0;
        for (int f = 0; f < folds; f++) {
            int from = f * block;
            int to = f == folds - 1 ? rows.length : from + block;
            if (f == 0) {
                continue; // nothing before it to fit on
            }
            double[][] before = from >= w ? windows(rows, 0, from, w, features) : new double[0][];
            if (before.length < MIN_WINDOWS) {
                continue;
            }
            Core core = fitCore(before, config, inflation);
            TinyModel m = model(version, channels, config, core, 1.0, config.smoothing(),
                    EscalationPolicy.edgeOnly(1.0));
            TinyScorer scorer = m.scorer();
            double[][] window = new double[w][];
            for (int end = from + w; end <= to; end++) {
                System.arraycopy(rows, end - w, window, 0, w);
                out[count++] = scorer.score(window);
            }
        }
        return Arrays.copyOf(out, count);
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
        if (config.driftWindow() == 0 || config.driftPower() == 0) {
            return out;
        }
        int m = Math.max(3, Math.min(config.driftWindow(), rows.length / 4));
        double[] ratio = wanderRatio(rows, m);
        for (int f = 0; f < features.size(); f++) {
            if (!isLevel(features.get(f))) {
                continue;
            }
            for (int c = 0; c < channels; c++) {
                out[f * channels + c] = Math.max(0, Math.pow(ratio[c], config.driftPower())
                        - Math.pow(config.driftTolerance(), config.driftPower()));
            }
        }
        return out;
    }

    private static boolean isLevel(Feature f) {
        return f == Feature.MEAN || f == Feature.MIN || f == Feature.MAX || f == Feature.LAST;
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
        double t2Limit = k == 0 ? 1.0 : Math.max(quantile(t2, config.limitQuantile()), 1e-9);
        // every component kept (varianceFraction 1): Q is identically 0, a pure (regularised) T2
        double qLimit = k == d ? 1.0 : Math.max(quantile(q, config.limitQuantile()), 1e-9);
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

    private static int checkRows(double[][] rows) {
        if (rows == null || rows.length == 0 || rows[0] == null || rows[0].length == 0) {
            throw TandemException.invalid("commissioning rows must not be empty");
        }
        int channels = rows[0].length;
        for (int t = 0; t < rows.length; t++) {
            if (rows[t] == null || rows[t].length != channels) {
                throw new TandemException(ErrorCode.CHANNEL_MISMATCH,
                        "commissioning row " + t + " does not have " + channels + " channels");
            }
            for (int c = 0; c < channels; c++) {
                if (!Double.isFinite(rows[t][c])) {
                    throw new TandemException(ErrorCode.NON_FINITE_VALUE,
                            "commissioning row " + t + " channel " + c + " is not finite: " + rows[t][c]);
                }
            }
        }
        return channels;
    }

    /** Empirical quantile with linear interpolation between order statistics (R type 7). */
    static double quantile(double[] values, double p) {
        double[] s = values.clone();
        Arrays.sort(s);
        double h = (s.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (h - lo) * (s[hi] - s[lo]);
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
