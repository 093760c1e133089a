package dev.tandem.hub.large;

import dev.tandem.hub.tiny.CommissioningRows;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The hub's large model for one device: a dense denoising autoencoder, built, trained and run with
 * TensorFlow Java (graph mode, one Graph and Session per model), over the raw standardized context
 * of {@code contextSize} samples x channels: a longer history than the edge's window, and the raw
 * samples rather than their summary features.
 *
 * <p><b>Training</b> ({@link ContextTensors}, {@link Autoencoder}). Channels are standardized with the commissioning mean and standard deviation
 * (floored, so a constant channel is harmless). The autoencoder (input, hidden, bottleneck, hidden,
 * input; ReLU, linear code and output) learns to reconstruct the clean context from a noisy copy
 * (Adam, mini-batches of stride-1 contexts) on all but the newest {@code holdoutFraction} of the
 * rows, which are kept back for calibration.
 *
 * <p><b>Score</b> ({@link LargeCalibration}). Two departures from normal, per channel, on the newest samples:
 * <ul>
 *   <li><i>loud</i>: the mean squared reconstruction error over the newest {@code focus} samples,
 *       divided by that channel's residual level (measured on the held-out rows, which the network
 *       has not memorised), against its commissioning high quantile: a level shift, spike, noise
 *       burst, drift or a broken correlation between channels;</li>
 *   <li><i>quiet</i>: the mean squared sample-to-sample step over the newest {@code quietWindow}
 *       samples against its commissioning low quantile: a stuck sensor. Skipped for channels
 *       that are often flat in commissioning or repeat their value in at least
 *       {@link #MIN_REPEAT_SHARE} of its steps (quantised or constant).</li>
 * </ul>
 * Each of the 2 x channels tests gets an equal share of the false-alarm budget
 * 1 - {@code calibrationQuantile}; its limit comes from a log-normal fit to the commissioning
 * values (stable with few, overlapping contexts) and is never tighter than the empirical quantile.
 * raw = the worst ratio (statistic / limit, capped at 100) over channels and tests;
 * score = raw / scoreScale, scoreScale = max(1, the {@code calibrationQuantile} of raw over the
 * trained contexts): >= 1.0 means anomaly.
 *
 * <p><b>Threads.</b> {@link #score} is thread-safe (TF sessions are) and may run concurrently with
 * itself; {@link #close} waits for running calls and makes later ones fail with
 * {@link IllegalStateException}. TF's native logging can only be quietened by the environment of
 * the process ({@code TF_CPP_MIN_LOG_LEVEL=3}), not from Java once the JVM runs. Thread-pool limits
 * (one intra-op and one inter-op thread per run) are honoured only if the first Session of the
 * process asks for them, which every Session created here does.
 */
public final class LargeModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LargeModel.class);
    /** Fewest contexts (stride-1 windows of contextSize rows) training accepts. */
    public static final int MIN_CONTEXTS = 16;
    /**
     * A channel that repeats its previous value in at least this share of its commissioning steps is
     * quantised: a run of equal samples is normal for it, so it never flags "quiet" (SKAB's pressure,
     * flow and thermocouple repeat 3-64% of the time; a continuous sensor never does).
     */
    static final double MIN_REPEAT_SHARE = 0.01;
    /**
     * Weight of the autoencoder in the verdict score, a weighted geometric mean of the two calibrated
     * scores (1.0 = each one's own threshold): autoencoder^w * pca^(1 - w).
     */
    public static final double AUTOENCODER_WEIGHT = 0.3;

    private final String version;
    private final ContextTensors layout;
    private final Autoencoder net;
    private final LargeCalibration calibration;
    /** The PCA stage (T2 + Q over the newest window's features: the device's tiny model), or null. */
    private final TinyModel pca;

    private LargeModel(String version, ContextTensors layout, Autoencoder net, LargeCalibration calibration,
                       TinyModel pca) {
        this.version = version;
        this.layout = layout;
        this.net = net;
        this.calibration = calibration;
        this.pca = pca;
    }

    /**
     * Trains on a device's commissioning rows [t][channel] (assumed normal), in time order.
     *
     * @param view the device's tiny model fitted on the same rows: the PCA stage of the verdict score
     *             and the hub's running view of the device ({@link #view}); null: none
     */
    public static LargeModel train(double[][] rows, LargeModelConfig config, String version, TinyModel view) {
        Objects.requireNonNull(config, "config");
        Checks.nonBlank("version", version);
        int channels = CommissioningRows.channels(rows);
        if (view != null && view.channels() != channels) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "view " + view.version() + " has "
                    + view.channels() + " channels, the commissioning rows " + channels);
        }
        int t = config.contextSize();
        int n = rows.length - t + 1;
        int holdout = Math.max(config.focus() + MIN_CONTEXTS - 1, (int) Math.round(rows.length * config.holdoutFraction()));
        int trainContexts = rows.length - holdout - t + 1;
        if (trainContexts < MIN_CONTEXTS) {
            throw TandemException.invalid("need at least " + (t + MIN_CONTEXTS - 1) + " commissioning rows for context "
                    + t + " plus " + holdout + " held out for calibration, got " + rows.length);
        }
        long started = System.nanoTime();
        ContextTensors layout = ContextTensors.fit(rows, channels, config);
        float[] contexts = new float[n * layout.inputSize];
        double[][] levels = new double[n][];
        for (int i = 0; i < n; i++) {
            layout.standardize(rows, i, t, contexts, i * layout.inputSize);
            levels[i] = layout.levels(contexts, i, t);
            layout.relativize(contexts, i);
        }
        Autoencoder net = new Autoencoder(version, layout, config);
        try {
            net.train(contexts, trainContexts, config);
            int firstHeld = trainContexts + config.focus() - 1;
            LargeCalibration calibration = LargeCalibration.compute(rows, layout, net, contexts, levels,
                    rows.length - holdout, trainContexts, firstHeld, config);
            LargeModel model = new LargeModel(version, layout, net, calibration, view);
            // publish the model to every thread that later takes the read lock in score()
            net.publish();
            LOG.debug("large model {}: {} channels, {} parameters, trained on {} contexts in {} ms", version, channels,
                    net.parameterCount(), n, (System.nanoTime() - started) / 1_000_000);
            return model;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /**
     * A model from what {@link #export()} gave (no training: the network is built from the weights).
     *
     * @param view the tiny model the artifact names ({@link LargeModelArtifact#viewVersion()}), or null if none
     * @throws TandemException ARTIFACT_INVALID if the view is not the one the artifact was trained with
     */
    public static LargeModel restore(LargeModelArtifact a, TinyModel view) {
        Objects.requireNonNull(a, "artifact");
        String viewVersion = view == null ? null : view.version();
        if (!Objects.equals(a.viewVersion(), viewVersion)) {
            throw new TandemException(ErrorCode.ARTIFACT_INVALID, "large model " + a.version() + " was trained with view "
                    + a.viewVersion() + ", not " + viewVersion);
        }
        if (view != null && view.channels() != a.channels()) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "view " + view.version() + " has " + view.channels()
                    + " channels, large model " + a.version() + " " + a.channels());
        }
        ContextTensors layout = new ContextTensors(a.channels(), a.contextSize(), a.focus(), a.quietWindow(), a.mean(),
                a.std(), a.relative());
        Autoencoder net = new Autoencoder(a.version(), layout, a.layers(), a.weights(), a.biases());
        LargeCalibration calibration = new LargeCalibration(a.level().clone(), a.high().clone(), a.quiet().clone(),
                a.levelLimit().clone(), a.scoreScale());
        LargeModel model = new LargeModel(a.version(), layout, net, calibration, view);
        net.publish();
        return model;
    }

    /** The model as data, to keep and {@link #restore} later (its view is kept on its own). */
    public LargeModelArtifact export() {
        return new LargeModelArtifact(LargeModelArtifact.FORMAT, version, pca == null ? null : pca.version(),
                layout.channels, layout.contextSize, layout.focus, layout.quietWindow, net.layers(), layout.mean(),
                layout.std(), layout.relative(), net.weights(), net.biases(), calibration.level().clone(),
                calibration.high().clone(), calibration.quiet().clone(), calibration.levelLimit().clone(),
                calibration.scoreScale());
    }

    public String version() {
        return version;
    }

    public int channels() {
        return layout.channels;
    }

    /** Samples of history read per verdict. */
    public int contextSize() {
        return layout.contextSize;
    }

    /** Trainable weights and biases of the autoencoder. */
    public long parameterCount() {
        return net.parameterCount();
    }

    /**
     * Calibrated scores (>= 1.0 means anomaly) of a batch of contexts, each rows [t][channel],
     * oldest first, ending at the escalated window's last sample; a context shorter than
     * contextSize is padded by repeating its oldest row, a longer one is cut to its newest
     * contextSize rows. One session run for the whole batch. Thread-safe.
     *
     * @throws TandemException (CHANNEL_MISMATCH, NON_FINITE_VALUE, INVALID_FIELD) for a bad context
     * @throws IllegalStateException once the model is closed
     */
    public double[] score(List<double[][]> contexts) {
        Objects.requireNonNull(contexts, "contexts");
        int count = contexts.size();
        for (int b = 0; b < count; b++) {
            checkContext(b, contexts.get(b));
        }
        int[] realRows = new int[count];
        float[] in = layout.batch(contexts, realRows);
        double[][] lv = new double[count][];
        for (int b = 0; b < count; b++) {
            lv[b] = layout.levels(in, b, realRows[b]);
            layout.relativize(in, b);
        }
        return net.read(() -> {
            if (count == 0) {
                return new double[0];
            }
            double[][] energy = net.energies(in, 0, count);
            double[] out = new double[count];
            for (int b = 0; b < count; b++) {
                double autoencoder = calibration.score(energy[b], layout.stepEnergy(in, b, realRows[b]), lv[b]);
                out[b] = combine(autoencoder, contexts.get(b));
            }
            return out;
        });
    }

    /**
     * The view the hub runs per device over every sample it receives (see
     * {@link dev.tandem.hub.verdict.ContextStore}): the PCA stage, the device's tiny model
     * (fitted on the same rows), smoothed and with its level-shift stage; null if there is none.
     */
    public TinyModel view() {
        return pca;
    }

    /**
     * The verdict score: the autoencoder's calibrated score combined with the PCA stage's calibrated,
     * unsmoothed score of the newest window (a weighted geometric mean; both are 1.0 at their own
     * threshold). The two see different things: the PCA stage the window's summary features against
     * the commissioning's correlations (what the edge sees, without its smoothing: a short anomaly is
     * not averaged away), the autoencoder the raw shape of the whole context; a window both find
     * unusual is an anomaly, one only the drifting autoencoder dislikes is not.
     */
    private double combine(double autoencoder, double[][] context) {
        if (pca == null || context.length < pca.windowSize()) {
            return autoencoder;
        }
        double[][] window = Arrays.copyOfRange(context, context.length - pca.windowSize(), context.length);
        double r = pca.scorer().windowScore(window);
        if (!Double.isFinite(r)) {
            return autoencoder;
        }
        return Math.pow(Math.max(autoencoder, 1e-9), AUTOENCODER_WEIGHT)
                * Math.pow(Math.max(r, 1e-9), 1 - AUTOENCODER_WEIGHT);
    }

    private void checkContext(int index, double[][] ctx) {
        if (ctx == null || ctx.length == 0) {
            throw TandemException.invalid("context " + index + " is empty");
        }
        for (int t = 0; t < ctx.length; t++) {
            double[] row = ctx[t];
            if (row == null || row.length != layout.channels) {
                throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "context " + index + " row " + t + " has "
                        + (row == null ? 0 : row.length) + " channels, model " + version + " expects " + layout.channels);
            }
            for (int c = 0; c < layout.channels; c++) {
                if (!Double.isFinite(row[c])) {
                    throw new TandemException(ErrorCode.NON_FINITE_VALUE,
                            "context " + index + " row " + t + " channel " + c + " is not finite: " + row[c]);
                }
            }
        }
    }



    /** Frees the native graph and session; waits for running scores; idempotent. */
    @Override
    public void close() {
        net.close();
    }

    @Override
    public String toString() {
        return "LargeModel[" + version + ", " + channels() + " channels, context " + contextSize() + ", "
                + parameterCount() + " parameters]";
    }
}
