package dev.tandem.shared.tiny;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.window.SlidingWindow;
import dev.tandem.shared.wire.Sample;
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
    private final LevelShift.Tracker shift;
    private final double[] newest;
    private double previous = Double.NaN;
    private double lastRaw = Double.NaN;
    private double lastShift = Double.NaN;

    TinyScorer(TinyModel model) {
        this.model = model;
        this.center = model.center();
        this.scale = model.scale();
        this.components = model.components();
        this.eigenvalues = model.eigenvalues();
        this.x = new double[model.dimension()];
        this.shift = model.levelShift() == null ? null : model.levelShift().tracker();
        this.newest = new double[model.channels()];
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
        double s = smooth(calibrated(rawFromFeatures(x)));
        if (shift == null) {
            return s;
        }
        if (!shift.started()) {
            shift.start(window.toArray(model.windowSize()), 0, model.windowSize());
        }
        Sample last = window.newest();
        for (int c = 0; c < newest.length; c++) {
            newest[c] = last.value(c);
        }
        return withShift(s, newest);
    }

    /** Scores a window given as rows [sample][channel] (exactly windowSize rows). */
    public double score(double[][] rows) {
        double s = smooth(calibrated(windowRaw(rows)));
        if (shift == null) {
            return s;
        }
        if (!shift.started()) {
            shift.start(rows, 0, rows.length);
        }
        return withShift(s, rows[rows.length - 1]);
    }

    /**
     * The window statistic alone, calibrated but unsmoothed, of rows [sample][channel] (exactly
     * windowSize rows), leaving this scorer's state (smoothing, level-shift stage, {@link #lastRaw})
     * as it was: what one window says on its own.
     */
    public double windowScore(double[][] rows) {
        return windowRaw(rows) / model.scoreScale();
    }

    private double windowRaw(double[][] rows) {
        if (rows.length != model.windowSize() || rows[0].length != model.channels()) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "window shape " + rows.length + "x" + rows[0].length
                    + " does not match model " + model.windowSize() + "x" + model.channels());
        }
        WindowFeatures.extract(rows, model.features(), x);
        return rawFromFeatures(x);
    }

    private double withShift(double windowScore, double[] newestRow) {
        lastShift = shift.update(newestRow);
        // NaN wins: a non-finite reading is reported, never hidden behind the other score
        return Double.isNaN(lastShift) || Double.isNaN(windowScore) ? Double.NaN : Math.max(windowScore, lastShift);
    }

    /**
     * The channels that drove the last window scored, the strongest first: those whose part of the
     * score is at least half the strongest one's. The part is taken from whichever stage gave the
     * score: the level-shift stage (each channel's weighted deviation) or the window statistic (the
     * sum of the channel's squared standardised features). Empty before the first window. Allocates;
     * meant for the rare window that raises an alarm.
     */
    public int[] drivers() {
        if (Double.isNaN(previous)) {
            return new int[0];
        }
        int channels = model.channels();
        double[] part = new double[channels];
        if (shift != null && !(lastShift < previous)) {
            shift.channelScores(part);
        } else {
            for (int i = 0; i < x.length; i++) {
                part[i % channels] += x[i] * x[i]; // x holds the last window's standardised features
            }
        }
        double max = 0;
        for (double p : part) {
            if (p > max) {
                max = p;
            }
        }
        if (!(max > 0)) {
            return new int[0];
        }
        final double m = max;
        return java.util.stream.IntStream.range(0, channels).filter(c -> part[c] >= 0.5 * m).boxed()
                .sorted((a, b) -> Double.compare(part[b], part[a])).mapToInt(Integer::intValue).toArray();
    }

    /** The level-shift stage's score of the newest sample of the last window scored (NaN without that stage). */
    public double lastShift() {
        return lastShift;
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

    /**
     * Forgets the smoothing state (after a gap in the stream or a non-finite reading); the level-shift
     * stage restarts its fast average at the next window and keeps its reference level.
     */
    public void reset() {
        previous = Double.NaN;
        if (shift != null) {
            shift.restart();
        }
    }
}
