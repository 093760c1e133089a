package dev.tandem.hub.tiny;

import dev.tandem.hub.stats.Moments;
import dev.tandem.hub.stats.Quantiles;
import dev.tandem.hub.stats.SymmetricEigen;
import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.tiny.LevelShift;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.window.Feature;
import dev.tandem.shared.window.WindowFeatures;

import java.util.List;

/**
 * What one PCA fit on a set of window feature vectors produces, before calibration: center and scale
 * of each feature, the kept components and their eigenvalues (of the regularised covariance), and
 * the T2 / Q limits (see {@link TinyModelFitter} for the steps).
 */
record PcaCore(double[] center, double[] scale, double[][] components, double[] eigenvalues,
               double t2Limit, double qLimit) {

    /** Feature vectors of every window of rows [from, to) (stride 1, feature-major as {@link WindowFeatures} lays it out). */
    static double[][] windows(double[][] rows, int from, int to, int w, List<Feature> features) {
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

    /** The tiny model of this core with the given calibration, policy and level-shift stage (or null). */
    TinyModel model(String version, int channels, TinyFitConfig config, double scoreScale, double smoothing,
                    EscalationPolicy policy, LevelShift shift) {
        return new TinyModel(TinyModel.FORMAT, version, channels, config.windowSize(), config.features(),
                center, scale, components, eigenvalues, t2Limit, qLimit, scoreScale, smoothing, policy, shift);
    }

    /** Center, scale, regularised PCA and limits of a set of feature vectors. */
    static PcaCore fit(double[][] x, TinyFitConfig config, double[] inflation) {
        int n = x.length;
        int d = x[0].length;
        double[] center = new double[d];
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            Moments m = Moments.of(x, 0, n, j);
            center[j] = m.mean();
            scale[j] = m.scale();
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
        SymmetricEigen eig = SymmetricEigen.of(cov);
        double[] values = eig.values();
        double total = 0;
        for (double v : values) {
            total += Math.max(0, v);
        }
        int positive = 0;
        while (positive < d && values[positive] > 1e-10 * Math.max(total, 1e-300)) {
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
            eigenvalues[j] = values[j];
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
        double t2Limit = k == 0 ? 1.0 : Math.max(Quantiles.quantile(t2, config.limitQuantile()), 1e-9);
        // every component kept (varianceFraction 1): Q is identically 0, a pure (regularised) T2
        double qLimit = k == d ? 1.0 : Math.max(Quantiles.quantile(q, config.limitQuantile()), 1e-9);
        return new PcaCore(center, scale, components, eigenvalues, t2Limit, qLimit);
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
}
