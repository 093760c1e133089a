package dev.tandem.hub.tiny;

import dev.tandem.hub.stats.Wander;
import dev.tandem.shared.window.Feature;
import dev.tandem.shared.window.WindowFeatures;

import java.util.Arrays;
import java.util.List;

/**
 * The tiny model's drift treatment: how far each channel's level wandered beyond the tolerance
 * during commissioning ({@link Wander}), as extra variance of the level features (drift-robust
 * levels) and as the level-shift stage's channel weights.
 */
final class DriftWeights {
    private DriftWeights() {
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

    /** Extra variance (standardized units) of each feature: R^p - 1 for level features of wandering channels, else 0. */
    static double[] inflation(double[][] rows, TinyFitConfig config, int channels) {
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
        int m = Wander.window(config.driftWindow(), rows.length);
        double[] ratio = config.coupledDrift() ? Wander.coupled(rows, m) : Wander.ratio(rows, m);
        double[] out = new double[ratio.length];
        for (int c = 0; c < ratio.length; c++) {
            out[c] = Math.max(0, Math.pow(ratio[c], config.driftPower()) - Math.pow(config.driftTolerance(), config.driftPower()));
        }
        return out;
    }

    private static boolean isLevel(Feature f) {
        return f == Feature.MEAN || f == Feature.MIN || f == Feature.MAX || f == Feature.LAST;
    }
}
