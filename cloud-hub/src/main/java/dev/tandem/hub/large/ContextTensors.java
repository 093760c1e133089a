package dev.tandem.hub.large;

import dev.tandem.hub.stats.Moments;
import dev.tandem.hub.stats.Wander;

import java.util.Arrays;
import java.util.List;

/**
 * How the large model lays contexts out as its network input: rows [t][channel] standardized with
 * the commissioning mean and standard deviation (floored), flattened row-major into
 * {@code contextSize x channels} floats per context, drifting channels de-meaned per context; and
 * the per-context statistics read off that layout (levels, step energy, repeats). Immutable.
 */
final class ContextTensors {
    final int channels;
    final int contextSize;
    final int focus;
    final int quietWindow;
    final int inputSize;
    private final double[] mean;
    private final double[] std;
    /** Channels whose level wanders beyond what commissioning shows (drift): fed to the network level-free. */
    private final boolean[] relative;

    ContextTensors(int channels, int contextSize, int focus, int quietWindow, double[] mean, double[] std,
                   boolean[] relative) {
        this.channels = channels;
        this.contextSize = contextSize;
        this.focus = focus;
        this.quietWindow = quietWindow;
        this.inputSize = contextSize * channels;
        this.mean = mean.clone();
        this.std = std.clone();
        this.relative = relative.clone();
    }

    double[] mean() {
        return mean.clone();
    }

    double[] std() {
        return std.clone();
    }

    boolean[] relative() {
        return relative.clone();
    }

    /** The layout of a device's commissioning rows: their standardization and drifting channels. */
    static ContextTensors fit(double[][] rows, int channels, LargeModelConfig config) {
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            Moments m = Moments.of(rows, 0, rows.length, c);
            mean[c] = m.mean();
            std[c] = m.scale();
        }
        boolean[] relative = new boolean[channels];
        if (config.driftWindow() > 0) {
            double[] ratio = Wander.ratio(rows, Wander.window(config.driftWindow(), rows.length));
            for (int c = 0; c < channels; c++) {
                relative[c] = ratio[c] >= config.driftTolerance();
            }
        }
        return new ContextTensors(channels, config.contextSize(), config.focus(), config.quietWindow(), mean, std, relative);
    }

    boolean relative(int channel) {
        return relative[channel];
    }

    /** Standardized value of channel c. */
    double standardized(double value, int c) {
        return (value - mean[c]) / std[c];
    }

    /**
     * Contexts (each rows [t][channel], oldest first) as one input batch: a context shorter than
     * contextSize is padded by repeating its oldest row, a longer one cut to its newest contextSize
     * rows; {@code realRows[b]} receives how many rows of context b are real.
     */
    float[] batch(List<double[][]> contexts, int[] realRows) {
        int count = contexts.size();
        float[] in = new float[count * inputSize];
        for (int b = 0; b < count; b++) {
            double[][] ctx = contexts.get(b);
            int have = ctx.length;
            int offset = b * inputSize;
            if (have >= contextSize) {
                standardize(ctx, have - contextSize, contextSize, in, offset);
            } else {
                int pad = contextSize - have;
                standardize(ctx, 0, 1, in, offset);
                for (int t = 1; t < pad; t++) {
                    System.arraycopy(in, offset, in, offset + t * channels, channels);
                }
                standardize(ctx, 0, have, in, offset + pad * channels);
            }
            realRows[b] = Math.min(have, contextSize);
        }
        return in;
    }

    /** Writes rows [from, from + length) standardized and flattened (row-major) into {@code dst}. */
    void standardize(double[][] rows, int from, int length, float[] dst, int offset) {
        for (int t = 0; t < length; t++) {
            double[] row = rows[from + t];
            for (int c = 0; c < channels; c++) {
                dst[offset + t * channels + c] = (float) ((row[c] - mean[c]) / std[c]);
            }
        }
    }

    /** Per channel: the mean of the newest min(focus, realRows) standardized samples of context b. */
    double[] levels(float[] contexts, int b, int realRows) {
        double[] out = new double[channels];
        int k = Math.max(1, Math.min(focus, realRows));
        for (int t = contextSize - k; t < contextSize; t++) {
            int base = b * inputSize + t * channels;
            for (int c = 0; c < channels; c++) {
                out[c] += contexts[base + c];
            }
        }
        for (int c = 0; c < channels; c++) {
            out[c] /= k;
        }
        return out;
    }

    /** Subtracts, for each drifting channel, its own mean over context b (its shape stays, its level goes). */
    void relativize(float[] contexts, int b) {
        for (int c = 0; c < channels; c++) {
            if (!relative[c]) {
                continue;
            }
            double sum = 0;
            for (int t = 0; t < contextSize; t++) {
                sum += contexts[b * inputSize + t * channels + c];
            }
            float m = (float) (sum / contextSize);
            for (int t = 0; t < contextSize; t++) {
                contexts[b * inputSize + t * channels + c] -= m;
            }
        }
    }

    /** Share of the steps x[t] - x[t-1] of channel c, over the first n contexts, that are exactly 0. */
    double repeatShare(float[] contexts, int n, int c) {
        long repeats = 0, steps = 0;
        for (int b = 0; b < n; b++) {
            for (int t = 1; t < contextSize; t++) {
                int base = b * inputSize + t * channels + c;
                if (contexts[base] == contexts[base - channels]) {
                    repeats++;
                }
                steps++;
            }
        }
        return steps == 0 ? 0 : (double) repeats / steps;
    }

    /**
     * Mean squared step x[t] - x[t-1] of each channel over the newest quietWindow samples of
     * context b, counting only the newest {@code realRows} rows (padding is flat); NaN when fewer
     * than 3 real rows.
     */
    double[] stepEnergy(float[] contexts, int b, int realRows) {
        double[] out = new double[channels];
        int pairs = Math.min(quietWindow, realRows - 1);
        if (pairs < 2) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        for (int t = contextSize - pairs; t < contextSize; t++) {
            int base = b * inputSize + t * channels;
            for (int c = 0; c < channels; c++) {
                double d = (double) contexts[base + c] - contexts[base - channels + c];
                out[c] += d * d;
            }
        }
        for (int c = 0; c < channels; c++) {
            out[c] /= pairs;
        }
        return out;
    }
}
