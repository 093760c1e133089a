package dev.tandem.hub.tiny;

import dev.tandem.hub.stats.Moments;
import dev.tandem.shared.tiny.LevelShift;

import java.util.Arrays;

/**
 * Fits the tiny model's level-shift stage ({@link LevelShift}) on commissioning rows: per channel
 * center, spread and the scale of its fast - reference deviation, the drift weight of the level
 * features, channels whose level swings by itself left out ({@link #CYCLE_LIMIT}).
 */
final class LevelShiftFitter {
    private LevelShiftFitter() {
    }

    /** Burn-in of the level-shift stage when its scale is measured (its averages start cold). */
    static final int SHIFT_BURN_IN = 30;

    /**
     * The level-shift stage fitted on rows [from, to): center / spread per channel, and scale = the
     * standard deviation of fast - reference over those rows (after a burn-in), the stage running freely
     * (no hold); weight from the drift measure; limit 1 (set by calibration).
     */
    static LevelShift fit(double[][] rows, int from, int to, TinyFitConfig.LevelShiftFit fit, double[] weight) {
        int channels = rows[0].length;
        int n = to - from;
        double[] center = new double[channels];
        double[] spread = new double[channels];
        for (int c = 0; c < channels; c++) {
            Moments m = Moments.of(rows, from, to, c);
            center[c] = m.mean();
            spread[c] = m.scale();
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

    /** In-sample level-shift scores (limit 1) of the windows ending at rows w - 1 .. end: the fallback without folds. */
    static double[] inSampleScores(double[][] rows, TinyFitConfig.LevelShiftFit settings, double[] weight, int w) {
        LevelShift.Tracker tracker = fit(rows, 0, rows.length, settings, weight).tracker();
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
}
