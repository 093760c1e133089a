package dev.tandem.hub.stats;

/**
 * How far a channel's level wanders on scales longer than m samples: the wander ratio R = its
 * standard deviation over all rows / its root mean variance inside m-row windows (about 1 for a
 * stationary channel, even one on a cycle shorter than m; several for a drifting one).
 */
public final class Wander {
    private Wander() {
    }

    /** The window (samples) the ratio is measured at for a drift window on {@code rows} rows: at least 3, at most a quarter of them. */
    public static int window(int driftWindow, int rows) {
        return Math.max(3, Math.min(driftWindow, rows / 4));
    }

    /** Per channel: the standard deviation over all rows / the root mean variance inside m-row windows (>= ~1). */
    public static double[] ratio(double[][] rows, int m) {
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

    /**
     * Per channel: the wander ratio ({@link #ratio}) of what the other channels do not explain.
     * A load cycle moves a machine's channels together, fast (its ramps) and slow (its period) alike;
     * drift moves a channel on its own, only slowly. So each channel is regressed (standardized, a
     * little ridge) on the others using only the within-window variation (every m-row block de-meaned:
     * the fast coupling, which drift does not contribute to), and that coupling is taken out of the
     * whole signal: a level that follows the load cycle gives a residual that does not wander (ratio
     * about 1, its level stays trusted), a drifting one keeps its wander. With one channel it is
     * {@link #ratio}.
     */
    public static double[] coupled(double[][] rows, int m) {
        int channels = rows[0].length;
        int n = rows.length;
        if (channels < 2 || n < 2 * m) {
            return ratio(rows, m);
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
            double[] beta = LinearSolve.solve(a, rhs);
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
            out[c] = ratio(residual, m)[0];
        }
        return out;
    }
}
