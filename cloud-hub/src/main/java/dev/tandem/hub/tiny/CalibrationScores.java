package dev.tandem.hub.tiny;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.tiny.LevelShift;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.window.Feature;

import java.util.Arrays;
import java.util.List;

/**
 * Out-of-sample calibration scores of the commissioning windows, in the fitted models' raw units
 * (T2/t2Limit + Q/qLimit, comparable across fits).
 *
 * @param smoothed   each window's score, smoothed as the edge runtime smooths
 * @param levelShift the level-shift stage's score (limit 1) at each window's last row; NaN where no
 *                   stage could be fitted before the window's block
 */
record CalibrationScores(double[] smoothed, double[] levelShift) {

    /**
     * Each contiguous block after the first is scored, window by window and smoothed as the edge
     * runtime does, by a model fitted on the rows before it only (forward-chaining: as later data is
     * scored by a model fitted on earlier data, slow drift shows up here), or, with
     * {@code crossFitted}, every block by a model fitted on all the other blocks. The level-shift
     * stage is forward-chaining only: fitted on the rows before the block, run freely up to it.
     */
    static CalibrationScores outOfSample(double[][] rows, TinyFitConfig config, double[] inflation, double[] weight,
                                         int channels, String version) {
        int folds = config.calibrationFolds();
        int w = config.windowSize();
        List<Feature> features = config.features();
        int block = rows.length / folds;
        double[] out = new double[rows.length];
        double[] outShift = new double[rows.length];
        int count = 0;
        for (int f = 0; f < folds; f++) {
            int from = f * block;
            int to = f == folds - 1 ? rows.length : from + block;
            if (f == 0 && !config.crossFitted()) {
                continue; // forward-chaining: nothing before it to fit on
            }
            double[][] before = from >= w ? PcaCore.windows(rows, 0, from, w, features) : new double[0][];
            if (config.crossFitted() && rows.length - to >= w) {
                double[][] after = PcaCore.windows(rows, to, rows.length, w, features);
                double[][] both = Arrays.copyOf(before, before.length + after.length);
                System.arraycopy(after, 0, both, before.length, after.length);
                before = both;
            }
            if (before.length < TinyModelFitter.MIN_WINDOWS) {
                continue;
            }
            PcaCore core = PcaCore.fit(before, config, inflation);
            TinyScorer scorer = core.model(version, channels, config, 1.0, config.smoothing(),
                    EscalationPolicy.edgeOnly(1.0), null).scorer();
            LevelShift.Tracker shift = null;
            if (config.levelShift() != null && from >= 2 * LevelShiftFitter.SHIFT_BURN_IN) {
                shift = LevelShiftFitter.fit(rows, 0, from, config.levelShift(), weight).tracker();
                shift.start(rows, 0, from);
                for (int t = 0; t < from; t++) {
                    shift.update(rows[t], false);
                }
            }
            double[][] window = new double[w][];
            int first = count;
            for (int end = from + w; end <= to; end++) {
                System.arraycopy(rows, end - w, window, 0, w);
                out[count++] = scorer.score(window);
            }
            for (int t = from, i = first - (w - 1); t < to; t++, i++) {
                double s = shift == null ? Double.NaN : shift.update(rows[t], false);
                if (i >= first) {
                    outShift[i] = s;
                }
            }
        }
        return new CalibrationScores(Arrays.copyOf(out, count), Arrays.copyOf(outShift, count));
    }
}
