package dev.tandem.shared.tiny;

import dev.tandem.shared.wire.ErrorCode;
import dev.tandem.shared.wire.TandemException;
import dev.tandem.shared.window.SlidingWindow;
import dev.tandem.shared.window.WindowFeatures;

/**
 * The pure-Java runtime of a {@link TinyModel}: no allocation per window, no native code.
 * Stateful (score smoothing) and not thread-safe: one scorer per stream.
 */
public final class TinyScorer {
    private final TinyModel model;
    private final double[] center;
    private final double[] scale;
    private final double[][] components;
    private final double[] eigenvalues;
    private final double[] x;
    private double previous = Double.NaN;
    private double lastRaw = Double.NaN;

    TinyScorer(TinyModel model) {
        this.model = model;
        this.center = model.center();
        this.scale = model.scale();
        this.components = model.components();
        this.eigenvalues = model.eigenvalues();
        this.x = new double[model.dimension()];
    }

    public TinyModel model() {
        return model;
    }

    /** Scores the latest {@code windowSize} samples of {@code window}; needs that many. */
    public double score(SlidingWindow window) {
        if (window.channels() != model.channels()) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH,
                    "window has " + window.channels() + " channels, model " + model.version() + " expects " + model.channels());
        }
        WindowFeatures.extract(window, model.windowSize(), model.features(), x);
        return smooth(calibrated(rawFromFeatures(x)));
    }

    /** Scores a window given as rows [sample][channel] (exactly windowSize rows). */
    public double score(double[][] rows) {
        if (rows.length != model.windowSize() || rows[0].length != model.channels()) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "window shape " + rows.length + "x" + rows[0].length
                    + " does not match model " + model.windowSize() + "x" + model.channels());
        }
        WindowFeatures.extract(rows, model.features(), x);
        return smooth(calibrated(rawFromFeatures(x)));
    }

    /** The unsmoothed, uncalibrated statistic T2/t2Limit + Q/qLimit of a feature vector. */
    public double rawFromFeatures(double[] features) {
        double norm2 = 0;
        int d = x.length;
        double[] z = x == features ? x : copyInto(features);
        for (int i = 0; i < d; i++) {
            z[i] = (z[i] - center[i]) / scale[i];
            norm2 += z[i] * z[i];
        }
        double t2 = 0, explained = 0;
        for (int j = 0; j < components.length; j++) {
            double[] w = components[j];
            double t = 0;
            for (int i = 0; i < d; i++) {
                t += w[i] * z[i];
            }
            t2 += t * t / eigenvalues[j];
            explained += t * t;
        }
        double q = Math.max(0, norm2 - explained);
        return t2 / model.t2Limit() + q / model.qLimit();
    }

    private double[] copyInto(double[] features) {
        System.arraycopy(features, 0, x, 0, x.length);
        return x;
    }

    private double calibrated(double raw) {
        lastRaw = raw / model.scoreScale();
        return lastRaw;
    }

    /**
     * The calibrated but unsmoothed score of the last window scored (NaN before the first): what the
     * newest window says on its own, against the smoothed score's memory of the windows before it.
     */
    public double lastRaw() {
        return lastRaw;
    }

    private double smooth(double score) {
        double a = model.smoothing();
        previous = (a == 0 || Double.isNaN(previous)) ? score : a * previous + (1 - a) * score;
        return previous;
    }

    /** Forgets the smoothing state (after a gap in the stream). */
    public void reset() {
        previous = Double.NaN;
    }
}
