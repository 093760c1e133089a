package dev.tandem.shared.tiny;

import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.window.Feature;
import dev.tandem.shared.window.WindowFeatures;

import java.util.Arrays;
import java.util.List;

/**
 * The tiny model: a PCA detector over window features, small enough for a Pi Zero (a few
 * hundred parameters, microseconds per window), with its calibration and escalation band.
 *
 * <p>Scoring a window of the latest {@code windowSize} samples:
 * <ol>
 *   <li>x = features of the window (see {@link WindowFeatures}), d = features x channels;</li>
 *   <li>z = (x - center) / scale;</li>
 *   <li>t_j = components[j] . z (k principal directions); T2 = sum t_j^2 / eigenvalues[j];
 *       Q = |z|^2 - sum t_j^2 (squared residual off the principal subspace);</li>
 *   <li>raw = T2 / t2Limit + Q / qLimit;</li>
 *   <li>score = raw / scoreScale, then smoothed: s = smoothing * previous + (1 - smoothing) * score;</li>
 *   <li>with a {@link LevelShift} stage (format 2), the score is the larger of s and that stage's score
 *       of the newest sample: the window statistic sees a sudden change of shape or correlation, the
 *       level-shift stage a small lasting shift of one channel's level.</li>
 * </ol>
 * The score is calibrated so that 1.0 is the edge's own threshold on commissioning data; the
 * {@link EscalationPolicy} shipped with the model splits it into NORMAL / UNCERTAIN / ANOMALY.
 */
public record TinyModel(String format, String version, int channels, int windowSize, List<Feature> features,
                        double[] center, double[] scale, double[][] components, double[] eigenvalues,
                        double t2Limit, double qLimit, double scoreScale, double smoothing,
                        EscalationPolicy policy, LevelShift levelShift) {
    /** The format written: PCA window statistic, optionally with a level-shift stage. */
    public static final String FORMAT = "tandem-tiny-pca/2";
    /** The first format (no level-shift stage), still accepted. */
    public static final String FORMAT_1 = "tandem-tiny-pca/1";
    /**
     * The same model with int8 principal components and float32 vectors (see {@link #quantized()}): a
     * variant for small device classes, a fraction of the size; scored the same way.
     */
    public static final String FORMAT_Q8 = "tandem-tiny-pca-q8/1";
    /** Suffix of the version of an int8 variant. */
    public static final String Q8_SUFFIX = "-q8";

    /** Whether {@code format} names a tiny-model artifact this code reads. */
    public static boolean knownFormat(String format) {
        return FORMAT.equals(format) || FORMAT_1.equals(format) || FORMAT_Q8.equals(format);
    }

    public TinyModel {
        try {
            if (!FORMAT.equals(format) && !FORMAT_Q8.equals(format) && !(FORMAT_1.equals(format) && levelShift == null)) {
                throw new TandemException(ErrorCode.ARTIFACT_INVALID, "unknown tiny-model format '" + format + "', expected " + FORMAT);
            }
            Checks.nonBlank("version", version);
            if (channels < 1 || windowSize < 1) {
                throw TandemException.invalid("channels and windowSize must be >= 1");
            }
            features = Checks.nonEmpty("features", features);
            int d = WindowFeatures.dimension(features, channels);
            center = vector("center", center, d);
            scale = vector("scale", scale, d);
            for (double s : scale) {
                if (s <= 0) {
                    throw TandemException.invalid("scale must be > 0");
                }
            }
            if (components == null || eigenvalues == null || components.length != eigenvalues.length
                    || components.length > d) {
                throw TandemException.invalid("need as many components as eigenvalues, at most " + d);
            }
            double[][] copy = new double[components.length][];
            for (int j = 0; j < components.length; j++) {
                copy[j] = vector("components[" + j + "]", components[j], d);
            }
            components = copy;
            eigenvalues = eigenvalues.clone();
            for (double e : eigenvalues) {
                if (!(e > 0) || !Double.isFinite(e)) {
                    throw TandemException.invalid("eigenvalues must be finite and > 0");
                }
            }
            positive("t2Limit", t2Limit);
            positive("qLimit", qLimit);
            positive("scoreScale", scoreScale);
            if (!(smoothing >= 0 && smoothing < 1)) {
                throw TandemException.invalid("smoothing must be in [0, 1)");
            }
            if (policy == null) {
                throw TandemException.invalid("policy is required");
            }
            if (levelShift != null && levelShift.channels() != channels) {
                throw TandemException.invalid("levelShift has " + levelShift.channels() + " channels, model " + channels);
            }
        } catch (TandemException e) {
            throw e.code() == ErrorCode.ARTIFACT_INVALID ? e
                    : new TandemException(ErrorCode.ARTIFACT_INVALID, "invalid tiny model: " + e.getMessage());
        }
    }

    /** A model without a level-shift stage. */
    public TinyModel(String format, String version, int channels, int windowSize, List<Feature> features,
                     double[] center, double[] scale, double[][] components, double[] eigenvalues,
                     double t2Limit, double qLimit, double scoreScale, double smoothing, EscalationPolicy policy) {
        this(format, version, channels, windowSize, features, center, scale, components, eigenvalues, t2Limit, qLimit,
                scoreScale, smoothing, policy, null);
    }

    private static double[] vector(String what, double[] v, int d) {
        if (v == null || v.length != d) {
            throw TandemException.invalid(what + " must have " + d + " values");
        }
        return Checks.finite(what, v).clone();
    }

    private static void positive(String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw TandemException.invalid(what + " must be finite and > 0");
        }
    }

    /** Feature dimension d. */
    public int dimension() {
        return center.length;
    }

    /** Number of trained parameters: center, scale, components, eigenvalues, limits, and the level-shift stage's. */
    public int parameterCount() {
        return 2 * dimension() + components.length * dimension() + eigenvalues.length + 3
                + (levelShift == null ? 0 : levelShift.parameterCount());
    }

    /** A new stateful scorer for one stream. */
    public TinyScorer scorer() {
        return new TinyScorer(this);
    }

    /** Whether this is an int8 variant ({@link #FORMAT_Q8}). */
    public boolean int8() {
        return FORMAT_Q8.equals(format);
    }

    /**
     * The int8 variant of this model, version {@code <version>-q8}: each principal component quantised
     * to int8 with its own symmetric scale, the center, scale and level-shift vectors rounded to float32,
     * the scalars (eigenvalues, limits, policy) kept. Its artifact ({@link TinyModelCodec}) is about a
     * fifth of the full-precision one; it scores with the same code. A quantised model is its own variant.
     */
    public TinyModel quantized() {
        if (int8()) {
            return this;
        }
        int d = dimension();
        double[][] q = new double[components.length][d];
        for (int j = 0; j < components.length; j++) {
            double s = QuantizedArtifact.componentScale(components[j]);
            for (int i = 0; i < d; i++) {
                q[j][i] = QuantizedArtifact.quantize(components[j][i], s) * s;
            }
        }
        LevelShift shift = levelShift == null ? null : new LevelShift(levelShift.fastRate(), levelShift.referenceRate(),
                floats(levelShift.center()), floats(levelShift.spread()), floats(levelShift.scale()),
                floats(levelShift.weight()), levelShift.limit());
        return new TinyModel(FORMAT_Q8, version + Q8_SUFFIX, channels, windowSize, features, floats(center),
                floats(scale), q, eigenvalues, t2Limit, qLimit, scoreScale, smoothing, policy, shift);
    }

    private static double[] floats(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = QuantizedArtifact.toFloat(v[i]);
        }
        return out;
    }

    /** A copy with another version and policy (e.g. a re-banded model). */
    public TinyModel withPolicy(String newVersion, EscalationPolicy newPolicy) {
        return new TinyModel(format, newVersion, channels, windowSize, features, center, scale, components,
                eigenvalues, t2Limit, qLimit, scoreScale, smoothing, newPolicy, levelShift);
    }

    /**
     * A copy whose escalation band (lower, threshold, upper) is multiplied by {@code scale}, named
     * {@code <version>-t<scale>}: below 1 it alarms more (0: on every window), above 1 less. Used to make
     * deliberately broken models (a rollout's bad-model scenario, tests).
     */
    public TinyModel withThresholdScale(double scale) {
        if (!(scale >= 0) || !Double.isFinite(scale)) {
            throw TandemException.invalid("threshold scale must be finite and >= 0, got " + scale);
        }
        EscalationPolicy p = new EscalationPolicy(policy.lower() * scale, policy.threshold() * scale,
                policy.upper() * scale);
        String s = scale == Math.rint(scale) && Math.abs(scale) < 1e15 ? Long.toString((long) scale)
                : Double.toString(scale);
        return withPolicy(version + "-t" + s, p);
    }

    @Override
    public double[] center() {
        return center.clone();
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }

    @Override
    public double[][] components() {
        double[][] out = new double[components.length][];
        for (int j = 0; j < components.length; j++) {
            out[j] = components[j].clone();
        }
        return out;
    }

    @Override
    public double[] eigenvalues() {
        return eigenvalues.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TinyModel m && m.version.equals(version) && m.channels == channels
                && m.windowSize == windowSize && m.features.equals(features) && Arrays.equals(m.center, center)
                && Arrays.equals(m.scale, scale) && Arrays.deepEquals(m.components, components)
                && Arrays.equals(m.eigenvalues, eigenvalues) && m.t2Limit == t2Limit && m.qLimit == qLimit
                && m.scoreScale == scoreScale && m.smoothing == smoothing && m.policy.equals(policy)
                && java.util.Objects.equals(m.levelShift, levelShift);
    }

    @Override
    public int hashCode() {
        return version.hashCode() * 31 + Arrays.hashCode(center);
    }

    @Override
    public String toString() {
        return "TinyModel[" + version + ", " + channels + " channels, window " + windowSize + ", d=" + dimension()
                + ", k=" + components.length + (levelShift == null ? "" : ", level shift") + ", " + parameterCount()
                + " parameters]";
    }
}
