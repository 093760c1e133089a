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

    /** A builder starting from {@code base}: change what a test is about, keep the rest. */
    public static Builder builder(TinyModel base) {
        return new Builder(base);
    }

    /** Builds a {@link TinyModel} by component name (its constructor validates). */
    public static final class Builder {
        private String format;
        private String version;
        private int channels;
        private int windowSize;
        private List<Feature> features;
        private double[] center;
        private double[] scale;
        private double[][] components;
        private double[] eigenvalues;
        private double t2Limit;
        private double qLimit;
        private double scoreScale;
        private double smoothing;
        private EscalationPolicy policy;
        private LevelShift levelShift;

        private Builder(TinyModel base) {
            this.format = base.format();
            this.version = base.version();
            this.channels = base.channels();
            this.windowSize = base.windowSize();
            this.features = base.features();
            this.center = base.center();
            this.scale = base.scale();
            this.components = base.components();
            this.eigenvalues = base.eigenvalues();
            this.t2Limit = base.t2Limit();
            this.qLimit = base.qLimit();
            this.scoreScale = base.scoreScale();
            this.smoothing = base.smoothing();
            this.policy = base.policy();
            this.levelShift = base.levelShift();
        }

        public Builder format(String format) {
            this.format = format;
            return this;
        }

        public Builder version(String version) {
            this.version = version;
            return this;
        }

        public Builder channels(int channels) {
            this.channels = channels;
            return this;
        }

        public Builder windowSize(int windowSize) {
            this.windowSize = windowSize;
            return this;
        }

        public Builder features(List<Feature> features) {
            this.features = features;
            return this;
        }

        public Builder center(double[] center) {
            this.center = center;
            return this;
        }

        public Builder scale(double[] scale) {
            this.scale = scale;
            return this;
        }

        public Builder components(double[][] components) {
            this.components = components;
            return this;
        }

        public Builder eigenvalues(double[] eigenvalues) {
            this.eigenvalues = eigenvalues;
            return this;
        }

        public Builder t2Limit(double t2Limit) {
            this.t2Limit = t2Limit;
            return this;
        }

        public Builder qLimit(double qLimit) {
            this.qLimit = qLimit;
            return this;
        }

        public Builder scoreScale(double scoreScale) {
            this.scoreScale = scoreScale;
            return this;
        }

        public Builder smoothing(double smoothing) {
            this.smoothing = smoothing;
            return this;
        }

        public Builder policy(EscalationPolicy policy) {
            this.policy = policy;
            return this;
        }

        public Builder levelShift(LevelShift levelShift) {
            this.levelShift = levelShift;
            return this;
        }

        public TinyModel build() {
            return new TinyModel(format, version, channels, windowSize, features, center, scale, components, eigenvalues,
                    t2Limit, qLimit, scoreScale, smoothing, policy, levelShift);
        }
    }
}
