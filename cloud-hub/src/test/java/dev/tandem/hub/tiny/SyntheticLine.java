package dev.tandem.hub.tiny;

import java.util.Random;

/**
 * Test data: a machine on a load cycle (two sines), with correlated channels (vibration RMS,
 * motor current, lagged temperature, pressure, flow, then voltage-like extras) plus Gaussian noise.
 * Deterministic for a seed; anomalies are injected on copies.
 */
public final class SyntheticLine {
    /** Noise standard deviation of each channel, in its own units. */
    public static final double[] NOISE = {0.03, 0.25, 0.15, 0.06, 1.5, 0.8, 0.05, 0.4};

    private SyntheticLine() {
    }

    /** {@code n} rows of {@code channels} (1..8) channels, starting at sample {@code start} of the seed's stream. */
    public static double[][] rows(long seed, int start, int n, int channels) {
        if (channels < 1 || channels > NOISE.length) {
            throw new IllegalArgumentException("1.." + NOISE.length + " channels");
        }
        Random noise = new Random(seed);
        double phase = new Random(seed * 31 + 7).nextDouble() * 2 * Math.PI;
        double[][] out = new double[n][channels];
        double lagged = 0.5;
        for (int t = 0; t < start + n; t++) {
            double load = 0.5 + 0.3 * Math.sin(2 * Math.PI * t / 80.0 + phase) + 0.1 * Math.sin(2 * Math.PI * t / 293.0);
            lagged += 0.05 * (load - lagged);
            double[] clean = {
                    0.3 + 0.5 * load,
                    8 + 6 * load,
                    45 + 12 * lagged,
                    2 + 1.2 * load,
                    80 + 40 * load,
                    230 - 4 * load,
                    1.0 + 0.4 * lagged,
                    20 + 5 * load * load,
            };
            double[] eps = new double[NOISE.length];
            for (int c = 0; c < NOISE.length; c++) {
                eps[c] = noise.nextGaussian() * NOISE[c];
            }
            if (t >= start) {
                for (int c = 0; c < channels; c++) {
                    out[t - start][c] = clean[c] + eps[c];
                }
            }
        }
        return out;
    }

    public static double[][] copy(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int t = 0; t < rows.length; t++) {
            out[t] = rows[t].clone();
        }
        return out;
    }

    /** Adds {@code amount} to channel {@code c} from row {@code from} (inclusive) to {@code to} (exclusive). */
    public static double[][] levelShift(double[][] rows, int c, int from, int to, double amount) {
        double[][] out = copy(rows);
        for (int t = from; t < to; t++) {
            out[t][c] += amount;
        }
        return out;
    }

    /** Channel {@code c} repeats its value of row {@code from - 1} on rows [from, to). */
    public static double[][] stuck(double[][] rows, int c, int from, int to) {
        double[][] out = copy(rows);
        for (int t = from; t < to; t++) {
            out[t][c] = rows[from - 1][c];
        }
        return out;
    }

    /** Adds extra Gaussian noise of {@code sigma} to channel {@code c} on rows [from, to). */
    public static double[][] noiseBurst(double[][] rows, int c, int from, int to, double sigma, long seed) {
        double[][] out = copy(rows);
        Random r = new Random(seed);
        for (int t = from; t < to; t++) {
            out[t][c] += r.nextGaussian() * sigma;
        }
        return out;
    }

    /** Rows [from, from + n) as a window. */
    public static double[][] slice(double[][] rows, int from, int n) {
        double[][] out = new double[n][];
        System.arraycopy(rows, from, out, 0, n);
        return out;
    }
}
