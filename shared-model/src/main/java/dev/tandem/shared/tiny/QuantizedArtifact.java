package dev.tandem.shared.tiny;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.policy.EscalationPolicy;
import dev.tandem.shared.window.Feature;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * The artifact of an int8 tiny model ({@link TinyModel#FORMAT_Q8}): the principal components as int8,
 * one symmetric scale per component ({@code c = q * componentScales[j]}, q in [-127, 127]); the
 * per-feature center and scale, and the level-shift stage's per-channel arrays as float32; the few
 * scalars (eigenvalues, limits, policy) as they are. Arrays travel as base64 of little-endian bytes,
 * so that the artifact is a fraction of the full-precision JSON. Decoding gives back exactly the model
 * that was encoded: its values are those the int8 and float32 numbers stand for.
 */
record QuantizedArtifact(String format, String version, int channels, int windowSize, List<Feature> features,
                         String center, String scale, int components, String componentsQ8, double[] componentScales,
                         double[] eigenvalues, double t2Limit, double qLimit, double scoreScale, double smoothing,
                         EscalationPolicy policy, Shift levelShift) {

    /** The level-shift stage with its per-channel arrays as float32. */
    record Shift(double fastRate, double referenceRate, String center, String spread, String scale, String weight,
                 double limit) {
    }

    static QuantizedArtifact of(TinyModel m) {
        double[][] comps = m.components();
        int d = m.dimension();
        byte[] q = new byte[comps.length * d];
        double[] scales = new double[comps.length];
        for (int j = 0; j < comps.length; j++) {
            scales[j] = componentScale(comps[j]);
            for (int i = 0; i < d; i++) {
                q[j * d + i] = (byte) quantize(comps[j][i], scales[j]);
            }
        }
        LevelShift s = m.levelShift();
        Shift shift = s == null ? null : new Shift(s.fastRate(), s.referenceRate(), f32(s.center()), f32(s.spread()),
                f32(s.scale()), f32(s.weight()), s.limit());
        return new QuantizedArtifact(m.format(), m.version(), m.channels(), m.windowSize(), m.features(), f32(m.center()),
                f32(m.scale()), comps.length, Base64.getEncoder().encodeToString(q), scales, m.eigenvalues(), m.t2Limit(),
                m.qLimit(), m.scoreScale(), m.smoothing(), m.policy(), shift);
    }

    TinyModel model() {
        if (!TinyModel.FORMAT_Q8.equals(format)) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "not an int8 tiny model: format '" + format + "'");
        }
        double[] c = f32(center, "center");
        int d = c.length;
        if (components < 0 || components > d || componentScales == null || componentScales.length != components) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "int8 tiny model: " + components
                    + " components need as many scales, at most " + d);
        }
        byte[] q = bytes(componentsQ8, "componentsQ8", (long) components * d);
        double[][] comps = new double[components][d];
        for (int j = 0; j < components; j++) {
            for (int i = 0; i < d; i++) {
                comps[j][i] = q[j * d + i] * componentScales[j];
            }
        }
        LevelShift shift = null;
        if (levelShift != null) {
            Shift s = levelShift;
            shift = new LevelShift(s.fastRate(), s.referenceRate(), f32(s.center(), "levelShift.center"),
                    f32(s.spread(), "levelShift.spread"), f32(s.scale(), "levelShift.scale"),
                    f32(s.weight(), "levelShift.weight"), s.limit());
        }
        return new TinyModel(format, version, channels, windowSize, features, c, f32(scale, "scale"), comps,
                eigenvalues, t2Limit, qLimit, scoreScale, smoothing, policy, shift);
    }

    /** The symmetric int8 scale of one component: its largest magnitude maps to 127. */
    static double componentScale(double[] component) {
        double max = 0;
        for (double v : component) {
            max = Math.max(max, Math.abs(v));
        }
        return max == 0 ? 1.0 : max / 127.0;
    }

    static int quantize(double v, double scale) {
        return (int) Math.max(-127, Math.min(127, Math.round(v / scale)));
    }

    /** The float32 value nearest to {@code v}, kept positive where {@code v} is. */
    static double toFloat(double v) {
        float f = (float) v;
        if (v > 0 && !(f > 0)) {
            f = Float.MIN_NORMAL;
        }
        return f;
    }

    private static String f32(double[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putFloat((float) toFloat(x));
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static double[] f32(String base64, String what) {
        byte[] raw = bytes(base64, what, -1);
        if (raw.length % 4 != 0) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "int8 tiny model: " + what + " is not float32s");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[raw.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }

    private static byte[] bytes(String base64, String what, long expected) {
        if (base64 == null) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "int8 tiny model: " + what + " is missing");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64); // bounded: the artifact's size is checked before download
        } catch (IllegalArgumentException e) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "int8 tiny model: " + what + " is not base64");
        }
        if (expected >= 0 && raw.length != expected) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "int8 tiny model: " + what + " has " + raw.length
                    + " bytes, expected " + expected);
        }
        return raw;
    }
}
