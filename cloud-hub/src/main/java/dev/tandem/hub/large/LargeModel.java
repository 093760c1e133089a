package dev.tandem.hub.large;

import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.hub.tf.TfGraph;
import dev.tandem.hub.tiny.CommissioningRows;
import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.hub.tiny.TinyModelFitter;
import dev.tandem.shared.tiny.TinyModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.framework.initializers.Glorot;
import org.tensorflow.framework.initializers.VarianceScaling;
import org.tensorflow.framework.initializers.Zeros;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The hub's large model for one device: a dense denoising autoencoder, built, trained and run with
 * TensorFlow Java (graph mode, one Graph and Session per model), over the raw standardized context
 * of {@code contextSize} samples x channels: a longer history than the edge's window, and the raw
 * samples rather than their summary features.
 *
 * <p><b>Training.</b> Channels are standardized with the commissioning mean and standard deviation
 * (floored, so a constant channel is harmless). The autoencoder (input, hidden, bottleneck, hidden,
 * input; ReLU, linear code and output) learns to reconstruct the clean context from a noisy copy
 * (Adam, mini-batches of stride-1 contexts) on all but the newest {@code holdoutFraction} of the
 * rows, which are kept back for calibration.
 *
 * <p><b>Score.</b> Two departures from normal, per channel, on the newest samples:
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
    /** A channel whose low quantile of step energy is below this fraction of its median never flags "quiet". */
    private static final double MIN_QUIET_FRACTION = 0.05;
    /**
     * A channel that repeats its previous value in at least this share of its commissioning steps is
     * quantised: a run of equal samples is normal for it, so it never flags "quiet" (SKAB's pressure,
     * flow and thermocouple repeat 3-64% of the time; a continuous sensor never does).
     */
    static final double MIN_REPEAT_SHARE = 0.01;
    /** Each ratio is capped, so a perfectly flat channel gives a large but finite score. */
    private static final double MAX_RATIO = 100;
    private static final int NOISE_POOL = 1 << 16;

    private final String version;
    private final int channels;
    private final int contextSize;
    private final int focus;
    private final int quietWindow;
    private final int inputSize;
    private final long parameterCount;
    private final double[] mean;
    private final double[] std;
    private final TfGraph tf;
    // calibration, set once by train()
    private double[] level;
    private double[] high;
    private double[] quiet;
    /** Channels whose level wanders beyond what commissioning shows (drift): fed to the network level-free. */
    private boolean[] relative;
    /** Per channel: the limit of the level test (|mean of the newest focus samples| in standardized units); 0 = off. */
    private double[] levelLimit;
    private double scoreScale = 1.0;
    /** The PCA stage (T2 + Q over the newest window's features, fitted on the same rows), or null. */
    private TinyModel pca;
    /**
     * Weight of the autoencoder in the verdict score, a weighted geometric mean of the two calibrated
     * scores (1.0 = each one's own threshold): autoencoder^w * pca^(1 - w).
     */
    public static final double AUTOENCODER_WEIGHT = 0.3;

    private LargeModel(String version, int channels, LargeModelConfig config, double[] mean, double[] std) {
        this.version = version;
        this.channels = channels;
        this.contextSize = config.contextSize();
        this.focus = config.focus();
        this.quietWindow = config.quietWindow();
        this.inputSize = contextSize * channels;
        this.mean = mean;
        this.std = std;
        int[] dims = layerSizes(inputSize, config);
        long params = 0;
        for (int i = 0; i + 1 < dims.length; i++) {
            params += (long) dims[i] * dims[i + 1] + dims[i + 1];
        }
        this.parameterCount = params;
        this.tf = new TfGraph("large model " + version);
    }

    private static int[] layerSizes(int inputSize, LargeModelConfig config) {
        return new int[]{inputSize, config.hidden(), config.bottleneck(), config.hidden(), inputSize};
    }

    /** Trains on a device's commissioning rows [t][channel] (assumed normal), in time order. */
    public static LargeModel train(double[][] rows, LargeModelConfig config, String version) {
        return train(rows, config, version, TinyFitConfig.defaults());
    }

    /** Trains as {@link #train(double[][], LargeModelConfig, String)}, its PCA stage fitted with {@code pcaConfig}. */
    public static LargeModel train(double[][] rows, LargeModelConfig config, String version, TinyFitConfig pcaConfig) {
        Objects.requireNonNull(pcaConfig, "pcaConfig");
        Objects.requireNonNull(config, "config");
        Checks.nonBlank("version", version);
        int channels = CommissioningRows.channels(rows);
        int t = config.contextSize();
        int n = rows.length - t + 1;
        int holdout = Math.max(config.focus() + MIN_CONTEXTS - 1, (int) Math.round(rows.length * config.holdoutFraction()));
        int trainContexts = rows.length - holdout - t + 1;
        if (trainContexts < MIN_CONTEXTS) {
            throw TandemException.invalid("need at least " + (t + MIN_CONTEXTS - 1) + " commissioning rows for context "
                    + t + " plus " + holdout + " held out for calibration, got " + rows.length);
        }
        long started = System.nanoTime();
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (double[] row : rows) {
                sum += row[c];
            }
            double m = sum / rows.length;
            double ss = 0;
            for (double[] row : rows) {
                ss += (row[c] - m) * (row[c] - m);
            }
            mean[c] = m;
            std[c] = Math.max(Math.sqrt(ss / rows.length), 1e-6 * Math.max(1.0, Math.abs(m)));
        }
        LargeModel model = new LargeModel(version, channels, config, mean, std);
        try {
            model.pca = pcaStage(rows, version, pcaConfig);
            model.relative = new boolean[channels];
            if (config.driftWindow() > 0) {
                double[] ratio = TinyModelFitter.wanderRatio(rows, Math.max(3, Math.min(config.driftWindow(), rows.length / 4)));
                for (int c = 0; c < channels; c++) {
                    model.relative[c] = ratio[c] >= config.driftTolerance();
                }
            }
            float[] contexts = new float[n * model.inputSize];
            double[][] levels = new double[n][];
            for (int i = 0; i < n; i++) {
                model.standardize(rows, i, t, contexts, i * model.inputSize);
                levels[i] = model.levels(contexts, i, t);
                model.relativize(contexts, i);
            }
            Op train = model.buildGraph(config);
            model.fit(train, contexts, trainContexts, config);
            int firstHeld = trainContexts + config.focus() - 1;
            model.calibrateLevels(rows, levels, rows.length - holdout, trainContexts, firstHeld, config);
            model.calibrate(contexts, levels, trainContexts, firstHeld, n, config);
            // publish the calibration to every thread that later takes the read lock in score()
            model.tf.publish();
            LOG.debug("large model {}: {} channels, {} parameters, trained on {} contexts in {} ms", version, channels,
                    model.parameterCount, n, (System.nanoTime() - started) / 1_000_000);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private Op buildGraph(LargeModelConfig config) {
        Ops tf = Ops.create(this.tf.graph());
        Placeholder<TFloat32> input = tf.withName("input")
                .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, inputSize)));
        Placeholder<TFloat32> target = tf.withName("target")
                .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, inputSize)));
        int[] dims = layerSizes(inputSize, config);
        Operand<TFloat32> h = input;
        for (int i = 0; i + 1 < dims.length; i++) {
            // variables at the top level (Adam breaks on sub-scoped variable names)
            Variable<TFloat32> w = tf.withName("W" + i).variable(
                    new Glorot<TFloat32>(VarianceScaling.Distribution.TRUNCATED_NORMAL, config.seed() * 31 + i)
                            .call(tf, tf.constant(Shape.of(dims[i], dims[i + 1])), TFloat32.class));
            Variable<TFloat32> b = tf.withName("b" + i).variable(
                    new Zeros<TFloat32>().call(tf, tf.constant(Shape.of(dims[i + 1])), TFloat32.class));
            h = tf.math.add(tf.linalg.matMul(h, w), b);
            if (i + 2 < dims.length && i != 1) {
                h = tf.nn.relu(h);
            }
        }
        Operand<TFloat32> output = tf.withName("output").identity(h);
        Operand<TFloat32> loss = tf.withName("loss")
                .math.mean(tf.math.squaredDifference(output, target), tf.constant(new int[]{0, 1}));
        Op train = new Adam(this.tf.graph(), (float) config.learningRate()).minimize(loss, "train");
        this.tf.session().initialize();
        return train;
    }

    private void fit(Op train, float[] contexts, int n, LargeModelConfig config) {
        Random random = new Random(config.seed());
        float[] noise = new float[NOISE_POOL + inputSize];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (random.nextGaussian() * config.inputNoise());
        }
        int batch = Math.min(config.batchSize(), n);
        float[] in = new float[batch * inputSize];
        float[] out = new float[batch * inputSize];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int cursor = n;
        Shape shape = Shape.of(batch, inputSize);
        for (int step = 0; step < config.steps(); step++) {
            for (int b = 0; b < batch; b++) {
                if (cursor == n) {
                    shuffle(order, random);
                    cursor = 0;
                }
                int src = order[cursor++] * inputSize;
                int dst = b * inputSize;
                int off = random.nextInt(NOISE_POOL);
                System.arraycopy(contexts, src, out, dst, inputSize);
                for (int k = 0; k < inputSize; k++) {
                    in[dst + k] = contexts[src + k] + noise[off + k];
                }
            }
            try (TFloat32 x = TFloat32.tensorOf(shape, DataBuffers.of(in, true, false));
                 TFloat32 y = TFloat32.tensorOf(shape, DataBuffers.of(out, true, false))) {
                tf.session().runner().feed("input", x).feed("target", y).addTarget(train).run().close();
            }
        }
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    /**
     * Contexts [0, trainContexts) were trained on; contexts [firstHeld, n) have their focus rows in
     * the held-out tail. The network has partly memorised the noise of the rows it trained on, so
     * their reconstruction error understates what it will meet later (by ~1.5x here): each
     * channel's level is the held-out one (never below the trained one). The shape (the high
     * quantile of the level-normalised energy, the final scale) comes from the trained contexts,
     * which are many, each normalised by the trained level. The quiet test needs no network: its
     * low quantile comes from every commissioning context.
     */
    private void calibrate(float[] contexts, double[][] levels, int trainContexts, int firstHeld, int n,
                           LargeModelConfig config) {
        double p = config.calibrationQuantile();
        double[][] trained = energies(contexts, 0, trainContexts);
        double[][] held = energies(contexts, firstHeld, n - firstHeld);
        double[] trainedLevel = meanEnergy(trained);
        level = meanEnergy(held);
        for (int c = 0; c < channels; c++) {
            level[c] = Math.max(level[c], trainedLevel[c]);
        }
        double[][] steps = new double[n][];
        for (int i = 0; i < n; i++) {
            steps[i] = stepEnergy(contexts, i, contextSize);
        }
        // Each of the 2 x channels tests gets an equal share of the false-alarm budget 1 - p; its
        // limit comes from a log-normal fit (stable with few, overlapping contexts), never tighter
        // than the empirical quantile (heavy tails).
        double z = normalQuantile(1 - (1 - p) / (3.0 * channels));
        high = new double[channels];
        quiet = new double[channels];
        double[] column = new double[trained.length];
        double[] stepColumn = new double[n];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < trained.length; i++) {
                column[i] = trained[i][c] / trainedLevel[c];
            }
            double[] fit = logNormalFit(column);
            high[c] = Math.max(Math.max(Math.exp(fit[0] + z * fit[1]), CommissioningRows.quantile(column, p)), 1e-9);
            for (int i = 0; i < n; i++) {
                stepColumn[i] = steps[i][c];
            }
            double lo = CommissioningRows.quantile(stepColumn, 1 - p);
            if (lo > MIN_QUIET_FRACTION * CommissioningRows.quantile(stepColumn, 0.5)
                    && repeatShare(contexts, n, c) < MIN_REPEAT_SHARE) {
                double[] stepFit = logNormalFit(stepColumn);
                quiet[c] = Math.min(Math.exp(stepFit[0] - z * stepFit[1]), lo);
            }
        }
        double[] raw = new double[trained.length];
        for (int i = 0; i < trained.length; i++) {
            raw[i] = raw(trained[i], trainedLevel, steps[i], levels[i]);
        }
        scoreScale = Math.max(1.0, CommissioningRows.quantile(raw, p));
    }

    /** Mean and standard deviation of log(x). */
    private static double[] logNormalFit(double[] x) {
        double sum = 0, ss = 0;
        for (double v : x) {
            sum += Math.log(Math.max(v, 1e-12));
        }
        double mean = sum / x.length;
        for (double v : x) {
            double d = Math.log(Math.max(v, 1e-12)) - mean;
            ss += d * d;
        }
        return new double[]{mean, Math.sqrt(ss / Math.max(1, x.length - 1))};
    }

    /** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
    static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1): " + p);
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            return -normalQuantile(1 - p);
        }
        double q = p - 0.5, r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    private double[] meanEnergy(double[][] energies) {
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

    /**
     * The level test: each non-drifting channel's mean over the newest {@code focus} samples (standardized
     * units) against its spread out of sample: the held-out newest commissioning contexts around the mean
     * of the rows trained on (so that the slow wander between the two parts counts), never tighter than
     * the spread over the trained contexts; each limit at the channel's share of the false-alarm budget.
     */
    private void calibrateLevels(double[][] rows, double[][] levels, int trainRows, int trainContexts, int firstHeld,
                                 LargeModelConfig config) {
        double z = normalQuantile(1 - (1 - config.calibrationQuantile()) / (3.0 * channels));
        levelLimit = new double[channels];
        for (int c = 0; c < channels; c++) {
            if (relative[c]) {
                continue;
            }
            double m = 0;
            for (int t = 0; t < trainRows; t++) {
                m += (rows[t][c] - mean[c]) / std[c];
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
    }

    /** Per channel: the mean of the newest min(focus, realRows) standardized samples of context b. */
    private double[] levels(float[] contexts, int b, int realRows) {
        double[] out = new double[channels];
        int k = Math.max(1, Math.min(focus, realRows));
        for (int t = contextSize - k; t < contextSize; t++) {
            int base = b * inputSize + t * channels;
            for (int c = 0; c < channels; c++) {
                out[c] += contexts[base + c];
            }
        }
        for (int c = 0; c < channels; c++) {
            out[c] /= k;
        }
        return out;
    }

    /** Subtracts, for each drifting channel, its own mean over context b (its shape stays, its level goes). */
    private void relativize(float[] contexts, int b) {
        for (int c = 0; c < channels; c++) {
            if (!relative[c]) {
                continue;
            }
            double sum = 0;
            for (int t = 0; t < contextSize; t++) {
                sum += contexts[b * inputSize + t * channels + c];
            }
            float m = (float) (sum / contextSize);
            for (int t = 0; t < contextSize; t++) {
                contexts[b * inputSize + t * channels + c] -= m;
            }
        }
    }

    /** The worst ratio over channels of the loud test (energy / level / high), the quiet test and the level test. */
    private double raw(double[] energy, double[] levels, double[] steps, double[] lv) {
        double worst = 0;
        for (int c = 0; c < channels; c++) {
            if (levelLimit != null && levelLimit[c] > 0 && lv != null) {
                double r = lv[c] / levelLimit[c];
                worst = Math.max(worst, Math.min(MAX_RATIO, r * r));
            }
            worst = Math.max(worst, Math.min(MAX_RATIO, energy[c] / levels[c] / high[c]));
            if (quiet[c] > 0 && !Double.isNaN(steps[c])) {
                worst = Math.max(worst, Math.min(MAX_RATIO, quiet[c] / Math.max(steps[c], 1e-12)));
            }
        }
        return worst;
    }

    /** Share of the steps x[t] - x[t-1] of channel c, over the first n contexts, that are exactly 0. */
    private double repeatShare(float[] contexts, int n, int c) {
        long repeats = 0, steps = 0;
        for (int b = 0; b < n; b++) {
            for (int t = 1; t < contextSize; t++) {
                int base = b * inputSize + t * channels + c;
                if (contexts[base] == contexts[base - channels]) {
                    repeats++;
                }
                steps++;
            }
        }
        return steps == 0 ? 0 : (double) repeats / steps;
    }

    /**
     * Mean squared step x[t] - x[t-1] of each channel over the newest quietWindow samples of
     * context b, counting only the newest {@code realRows} rows (padding is flat); NaN when fewer
     * than 3 real rows.
     */
    private double[] stepEnergy(float[] contexts, int b, int realRows) {
        double[] out = new double[channels];
        int pairs = Math.min(quietWindow, realRows - 1);
        if (pairs < 2) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        for (int t = contextSize - pairs; t < contextSize; t++) {
            int base = b * inputSize + t * channels;
            for (int c = 0; c < channels; c++) {
                double d = (double) contexts[base + c] - contexts[base - channels + c];
                out[c] += d * d;
            }
        }
        for (int c = 0; c < channels; c++) {
            out[c] /= pairs;
        }
        return out;
    }

    /** Per context, per channel: mean squared reconstruction error over the newest {@code focus} samples. */
    private double[][] energies(float[] contexts, int first, int count) {
        float[] in = first == 0 && contexts.length == count * inputSize ? contexts
                : Arrays.copyOfRange(contexts, first * inputSize, (first + count) * inputSize);
        float[] recon = new float[count * inputSize];
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(count, inputSize), DataBuffers.of(in, true, false));
             Result result = tf.session().runner().feed("input", x).fetch("output").run()) {
            ((TFloat32) result.get(0)).copyTo(DataBuffers.of(recon, false, false));
        }
        double[][] energy = new double[count][channels];
        for (int b = 0; b < count; b++) {
            double[] e = energy[b];
            for (int t = contextSize - focus; t < contextSize; t++) {
                int base = b * inputSize + t * channels;
                for (int c = 0; c < channels; c++) {
                    double d = (double) in[base + c] - recon[base + c];
                    e[c] += d * d;
                }
            }
            for (int c = 0; c < channels; c++) {
                e[c] /= focus;
            }
        }
        return energy;
    }

    /** Writes rows [from, from + length) standardized and flattened (row-major) into {@code dst}. */
    private void standardize(double[][] rows, int from, int length, float[] dst, int offset) {
        for (int t = 0; t < length; t++) {
            double[] row = rows[from + t];
            for (int c = 0; c < channels; c++) {
                dst[offset + t * channels + c] = (float) ((row[c] - mean[c]) / std[c]);
            }
        }
    }

    public String version() {
        return version;
    }

    public int channels() {
        return channels;
    }

    /** Samples of history read per verdict. */
    public int contextSize() {
        return contextSize;
    }

    /** Trainable weights and biases of the autoencoder. */
    public long parameterCount() {
        return parameterCount;
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
        float[] in = new float[count * inputSize];
        int[] realRows = new int[count];
        for (int b = 0; b < count; b++) {
            double[][] ctx = contexts.get(b);
            checkContext(b, ctx);
            int have = ctx.length;
            int offset = b * inputSize;
            if (have >= contextSize) {
                standardize(ctx, have - contextSize, contextSize, in, offset);
            } else {
                int pad = contextSize - have;
                standardize(ctx, 0, 1, in, offset);
                for (int t = 1; t < pad; t++) {
                    System.arraycopy(in, offset, in, offset + t * channels, channels);
                }
                standardize(ctx, 0, have, in, offset + pad * channels);
            }
            realRows[b] = Math.min(have, contextSize);
        }
        double[][] lv = new double[count][];
        for (int b = 0; b < count; b++) {
            lv[b] = levels(in, b, realRows[b]);
            relativize(in, b);
        }
        return tf.read(() -> {
            if (count == 0) {
                return new double[0];
            }
            double[][] energy = energies(in, 0, count);
            double[] out = new double[count];
            for (int b = 0; b < count; b++) {
                double autoencoder = raw(energy[b], level, stepEnergy(in, b, realRows[b]), lv[b]) / scoreScale;
                out[b] = combine(autoencoder, contexts.get(b));
            }
            return out;
        });
    }

    /**
     * The view the hub runs per device over every sample it receives (see
     * {@link dev.tandem.hub.escalation.ContextStore}): the PCA stage, fitted with the tiny model's
     * settings on the same rows, smoothed and with its level-shift stage; null if there is none.
     */
    public TinyModel view() {
        return pca;
    }

    /**
     * The verdict score of a context: the larger of its {@link #score} and the hub's running score of
     * the device at the context's newest sample by its {@link #view} (NaN: none); both are 1.0 at their
     * own threshold. The autoencoder and the unsmoothed PCA stage judge the context's shape (a short
     * anomaly is not averaged away), the running view what only the stream's history shows: a lasting
     * anomaly that persists, a level that moved from where it was before.
     */
    public static double withTracked(double score, double tracked) {
        return Double.isNaN(tracked) ? score : Math.max(score, tracked);
    }

    /** The PCA stage fitted on the commissioning rows with the tiny model's settings, or null if they are too few. */
    private static TinyModel pcaStage(double[][] rows, String version, TinyFitConfig pcaConfig) {
        try {
            return TinyModelFitter.fit(rows, pcaConfig, version + "-pca");
        } catch (TandemException e) {
            LOG.debug("large model {}: no PCA stage ({})", version, e.getMessage());
            return null;
        }
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
            if (row == null || row.length != channels) {
                throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "context " + index + " row " + t + " has "
                        + (row == null ? 0 : row.length) + " channels, model " + version + " expects " + channels);
            }
            for (int c = 0; c < channels; c++) {
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
        tf.close();
    }

    @Override
    public String toString() {
        return "LargeModel[" + version + ", " + channels + " channels, context " + contextSize + ", "
                + parameterCount + " parameters]";
    }
}
