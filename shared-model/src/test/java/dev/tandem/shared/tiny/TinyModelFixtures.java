package dev.tandem.shared.tiny;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.window.Feature;

import java.util.List;
import java.util.Random;

/** Small, valid tiny models for tests. */
public final class TinyModelFixtures {
    private TinyModelFixtures() {
    }

    /** MEAN+STD features, zero center, unit scale, the first min(2,d-1) coordinate axes as components. */
    public static TinyModel identityModel(String version, int channels, int windowSize) {
        int d = 2 * channels;
        double[] center = new double[d];
        double[] scale = new double[d];
        java.util.Arrays.fill(scale, 1.0);
        int k = Math.max(1, Math.min(2, d - 1));
        double[][] comps = new double[k][d];
        double[] eig = new double[k];
        for (int j = 0; j < k; j++) {
            comps[j][j] = 1;
            eig[j] = 1;
        }
        return new TinyModel(TinyModel.FORMAT, version, channels, windowSize, List.of(Feature.MEAN, Feature.STD),
                center, scale, comps, eig, 1, 1, 1, 0, new EscalationPolicy(0.5, 1, 2));
    }

    /** A random but valid model with orthonormal components, every feature kind. */
    public static TinyModel randomModel(long seed, int channels, int windowSize, int k) {
        Random r = new Random(seed);
        List<Feature> features = List.of(Feature.values());
        int d = features.size() * channels;
        double[] center = new double[d];
        double[] scale = new double[d];
        for (int i = 0; i < d; i++) {
            center[i] = r.nextGaussian();
            scale[i] = 0.5 + r.nextDouble();
        }
        double[][] comps = new double[k][d];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < d; i++) {
                comps[j][i] = r.nextGaussian();
            }
            for (int p = 0; p < j; p++) {
                double dot = 0;
                for (int i = 0; i < d; i++) dot += comps[j][i] * comps[p][i];
                for (int i = 0; i < d; i++) comps[j][i] -= dot * comps[p][i];
            }
            double n = 0;
            for (int i = 0; i < d; i++) n += comps[j][i] * comps[j][i];
            n = Math.sqrt(n);
            for (int i = 0; i < d; i++) comps[j][i] /= n;
        }
        double[] eig = new double[k];
        for (int j = 0; j < k; j++) eig[j] = 1 + r.nextDouble() * 3;
        return new TinyModel(TinyModel.FORMAT, "rand-" + seed, channels, windowSize, features, center, scale, comps, eig,
                2.5, 3.5, 1.7, 0, new EscalationPolicy(0.6, 1, 2));
    }
}
