package dev.tandem.hub.large;

import dev.tandem.hub.stats.LogNormal;
import dev.tandem.hub.stats.NormalQuantile;
import dev.tandem.hub.stats.Quantiles;

/**
 * The large model's calibration, computed once by {@link LargeModel#train} (see its javadoc for the
 * tests): per channel the residual level, the loud test's high limit, the quiet test's low limit
 * (0 = off) and the level test's limit (0 = off), and the final score scale.
 */
record LargeCalibration(double[] level, double[] high, double[] quiet, double[] levelLimit, double scoreScale) {
    /** A channel whose low quantile of step energy is below this fraction of its median never flags "quiet". */
    private static final double MIN_QUIET_FRACTION = 0.05;
    /** Each ratio is capped, so a perfectly flat channel gives a large but finite score. */
    private static final double MAX_RATIO = 100;

    /**
     * Contexts [0, trainContexts) were trained on; contexts [firstHeld, n) have their focus rows in
     * the held-out tail. The network has partly memorised the noise of the rows it trained on, so
     * their reconstruction error understates what it will meet later (by ~1.5x here): each
     * channel's level is the held-out one (never below the trained one). The shape (the high
     * quantile of the level-normalised energy, the final scale) comes from the trained contexts,
     * which are many, each normalised by the trained level. The quiet test needs no network: its
     * low quantile comes from every commissioning context.
     */
    static LargeCalibration compute(double[][] rows, ContextTensors layout, Autoencoder net, float[] contexts,
                                    double[][] levels, int trainRows, int trainContexts, int firstHeld,
                                    LargeModelConfig config) {
        int channels = layout.channels;
        int n = levels.length;
        double[] levelLimit = levelLimits(rows, layout, levels, trainRows, trainContexts, firstHeld, config);
        double p = config.calibrationQuantile();
        double[][] trained = net.energies(contexts, 0, trainContexts);
        double[][] held = net.energies(contexts, firstHeld, n - firstHeld);
        double[] trainedLevel = meanEnergy(trained, channels);
        double[] level = meanEnergy(held, channels);
        for (int c = 0; c < channels; c++) {
            level[c] = Math.max(level[c], trainedLevel[c]);
        }
        double[][] steps = new double[n][];
        for (int i = 0; i < n; i++) {
            steps[i] = layout.stepEnergy(contexts, i, layout.contextSize);
        }
        // Each of the 2 x channels tests gets an equal share of the false-alarm budget 1 - p; its
        // limit comes from a log-normal fit (stable with few, overlapping contexts), never tighter
        // than the empirical quantile (heavy tails).
        double z = NormalQuantile.of(1 - (1 - p) / (3.0 * channels));
        double[] high = new double[channels];
        double[] quiet = new double[channels];
        double[] column = new double[trained.length];
        double[] stepColumn = new double[n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < trained.length; i++) {
                column[i] = trained[i][c] / trainedLevel[c];
            }
            high[c] = Math.max(Math.max(LogNormal.fit(column).quantile(z), Quantiles.quantile(column, p)), 1e-9);
            for (int i = 0; i < n; i++) {
                stepColumn[i] = steps[i][c];
            }
            double lo = Quantiles.quantile(stepColumn, 1 - p);
            if (lo > MIN_QUIET_FRACTION * Quantiles.quantile(stepColumn, 0.5)
                    && layout.repeatShare(contexts, n, c) < LargeModel.MIN_REPEAT_SHARE) {
                quiet[c] = Math.min(LogNormal.fit(stepColumn).quantile(-z), lo);
            }
        }
        double[] raw = new double[trained.length];
        for (int i = 0; i < trained.length; i++) {
            raw[i] = raw(trained[i], trainedLevel, steps[i], levels[i], high, quiet, levelLimit);
        }
        return new LargeCalibration(level, high, quiet, levelLimit, Math.max(1.0, Quantiles.quantile(raw, p)));
    }

    /**
     * The level test: each non-drifting channel's mean over the newest {@code focus} samples (standardized
     * units) against its spread out of sample: the held-out newest commissioning contexts around the mean
     * of the rows trained on (so that the slow wander between the two parts counts), never tighter than
     * the spread over the trained contexts; each limit at the channel's share of the false-alarm budget.
     */
    private static double[] levelLimits(double[][] rows, ContextTensors layout, double[][] levels, int trainRows,
                                        int trainContexts, int firstHeld, LargeModelConfig config) {
        int channels = layout.channels;
        double z = NormalQuantile.of(1 - (1 - config.calibrationQuantile()) / (3.0 * channels));
        double[] levelLimit = new double[channels];
        for (int c = 0; c < channels; c++) {
            if (layout.relative(c)) {
                continue;
            }
            double m = 0;
            for (int t = 0; t < trainRows; t++) {
                m += layout.standardized(rows[t][c], c);
            }
            m /= trainRows;
            double held = 0;
            for (int i = firstHeld; i < levels.length; i++) {
                held += (levels[i][c] - m) * (levels[i][c] - m);
            }
            held /= Math.max(1, levels.length - firstHeld);
            double lm = 0, ls = 0;
            for (int i = 0; i < trainContexts; i++) {
                lm += levels[i][c];
            }
            lm /= trainContexts;
            for (int i = 0; i < trainContexts; i++) {
                ls += (levels[i][c] - lm) * (levels[i][c] - lm);
            }
            ls /= trainContexts;
            levelLimit[c] = Math.max(z * Math.sqrt(Math.max(held, ls)), 1e-6);
        }
        return levelLimit;
    }

    private static double[] meanEnergy(double[][] energies, int channels) {
        double[] mean = new double[channels];
        for (double[] e : energies) {
            for (int c = 0; c < channels; c++) {
                mean[c] += e[c];
            }
        }
        for (int c = 0; c < channels; c++) {
            mean[c] = Math.max(mean[c] / energies.length, 1e-12);
        }
        return mean;
    }

    /** The calibrated autoencoder score of one context: the worst ratio over channels and tests / scoreScale. */
    double score(double[] energy, double[] steps, double[] lv) {
        return raw(energy, level, steps, lv, high, quiet, levelLimit) / scoreScale;
    }

    /** The worst ratio over channels of the loud test (energy / level / high), the quiet test and the level test. */
    private static double raw(double[] energy, double[] level, double[] steps, double[] lv, double[] high,
                              double[] quiet, double[] levelLimit) {
        double worst = 0;
        for (int c = 0; c < level.length; c++) {
            if (levelLimit[c] > 0 && lv != null) {
                double r = lv[c] / levelLimit[c];
                worst = Math.max(worst, Math.min(MAX_RATIO, r * r));
            }
            worst = Math.max(worst, Math.min(MAX_RATIO, energy[c] / level[c] / high[c]));
            if (quiet[c] > 0 && !Double.isNaN(steps[c])) {
                worst = Math.max(worst, Math.min(MAX_RATIO, quiet[c] / Math.max(steps[c], 1e-12)));
            }
        }
        return worst;
    }
}
