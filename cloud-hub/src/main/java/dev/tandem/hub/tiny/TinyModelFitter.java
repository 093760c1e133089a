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
 *   <li>PCA of the standardized features (cyclic Jacobi, deterministic): the fewest components
 *       reaching {@code varianceFraction} of the variance, at least 1 and at most d - 1 (so that Q
 *       always watches the residual), only directions with positive variance;</li>
 *   <li>t2Limit / qLimit = the {@code limitQuantile} of the commissioning T2 / Q;</li>
 *   <li>scoreScale = the {@code thresholdQuantile} of the commissioning raw scores (computed by the
 *       edge runtime itself), so that the edge threshold 1.0 flags about 1 - thresholdQuantile of
 *       normal windows;</li>
 *   <li>policy = [lower, 1.0, upper) from the config.</li>
 * </ol>
 * Deterministic: the same rows and config give an identical model.
 */
public final class TinyModelFitter {
    /** Fewest windows a fit accepts. */
    public static final int MIN_WINDOWS = 20;

    private TinyModelFitter() {
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

        double[][] x = new double[n][d];
        double[][] window = new double[w][];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows, i, window, 0, w);
            WindowFeatures.extract(window, features, x[i]);
        }

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
        double[][] cov = new double[d][d];
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += z[i][a] * z[i][b];
                }
                cov[a][b] = s / (n - 1);
                cov[b][a] = cov[a][b];
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
        int k = 0;
        double explained = 0;
        while (k < positive && k < Math.max(1, d - 1) && explained < config.varianceFraction() * total) {
            explained += eig.values[k];
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
        double qLimit = Math.max(quantile(q, config.limitQuantile()), 1e-9);

        EscalationPolicy policy = new EscalationPolicy(config.lower(), 1.0, config.upper());
        TinyModel provisional = new TinyModel(TinyModel.FORMAT, version, channels, w, features, center, scale,
                components, eigenvalues, t2Limit, qLimit, 1.0, 0.0, policy);
        TinyScorer scorer = provisional.scorer();
        double[] raw = new double[n];
        for (int i = 0; i < n; i++) {
            raw[i] = scorer.rawFromFeatures(x[i].clone());
        }
        double scoreScale = Math.max(quantile(raw, config.thresholdQuantile()), 1e-9);
        return new TinyModel(TinyModel.FORMAT, version, channels, w, features, center, scale, components,
                eigenvalues, t2Limit, qLimit, scoreScale, config.smoothing(), policy);
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
