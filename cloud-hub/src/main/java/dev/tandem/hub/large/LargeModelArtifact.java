package dev.tandem.hub.large;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.util.List;
import java.util.Objects;

/**
 * Everything a trained {@link LargeModel} is, as data (what the hub's store keeps, so that a
 * restarted hub or another instance loads the model instead of training it again): the input
 * layout (standardization, drifting channels), the network's layer sizes, weights and biases, and
 * the calibration. The model's PCA stage and view is the device's tiny model, kept on its own and
 * named by {@code viewVersion}. {@link LargeModel#export()} and {@link LargeModel#restore} convert;
 * a restored model scores as the trained one (to float precision).
 *
 * @param weights per layer, row-major {@code layers[i] x layers[i + 1]}
 */
public record LargeModelArtifact(String format, String version, String viewVersion, int channels, int contextSize,
                                 int focus, int quietWindow, int[] layers, double[] mean, double[] std,
                                 boolean[] relative, List<float[]> weights, List<float[]> biases, double[] level,
                                 double[] high, double[] quiet, double[] levelLimit, double scoreScale) {
    public static final String FORMAT = "tandem-large-ae/1";

    public LargeModelArtifact {
        if (!FORMAT.equals(format)) {
            throw bad("format " + format + " is not " + FORMAT);
        }
        Objects.requireNonNull(version, "version");
        if (channels < 1 || contextSize < 2 || focus < 1 || focus > contextSize || quietWindow < 2
                || quietWindow > contextSize) {
            throw bad("layout out of range: " + channels + " channels, context " + contextSize + ", focus " + focus
                    + ", quiet window " + quietWindow);
        }
        int input = channels * contextSize;
        if (layers == null || layers.length < 2 || layers[0] != input || layers[layers.length - 1] != input) {
            throw bad("layers must start and end at " + input);
        }
        if (weights == null || biases == null || weights.size() != layers.length - 1 || biases.size() != layers.length - 1) {
            throw bad("need " + (layers.length - 1) + " weight matrices and bias vectors");
        }
        for (int i = 0; i + 1 < layers.length; i++) {
            if (layers[i] < 1 || weights.get(i) == null || biases.get(i) == null
                    || weights.get(i).length != (long) layers[i] * layers[i + 1] || biases.get(i).length != layers[i + 1]) {
                throw bad("layer " + i + " has the wrong shape");
            }
        }
        for (double[] a : new double[][]{mean, std, level, high, quiet, levelLimit}) {
            if (a == null || a.length != channels) {
                throw bad("per-channel arrays must have " + channels + " values");
            }
        }
        if (relative == null || relative.length != channels) {
            throw bad("relative must have " + channels + " values");
        }
        if (!(scoreScale >= 1) || !Double.isFinite(scoreScale)) {
            throw bad("scoreScale must be finite and >= 1, got " + scoreScale);
        }
    }

    private static TandemException bad(String message) {
        return new TandemException(ErrorCode.ARTIFACT_INVALID, "large model artifact: " + message);
    }
}
