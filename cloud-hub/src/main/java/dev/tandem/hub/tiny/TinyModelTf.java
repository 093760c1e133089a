package dev.tandem.hub.tiny;

import dev.tandem.hub.tf.TfGraph;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.window.Feature;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.List;

/**
 * The same {@link TinyModel} run through TensorFlow Java (graph mode, float32), one window per
 * session run: the window's features, standardization, projection on the principal components,
 * T2 and Q, and raw / scoreScale are all computed in the graph. This is what a user would reach
 * for instead of the pure-Java {@link TinyScorer}; the benchmark runs both side by side.
 *
 * <p>Stateless: the model's smoothing and its level-shift stage (both state carried from window to
 * window) are not part of it: this is the unsmoothed window statistic,
 * {@link TinyScorer#windowScore}. Thread-safe;
 * {@link #close} frees the native graph and session, after which {@link #score} throws
 * {@link IllegalStateException}.
 */
public final class TinyModelTf implements AutoCloseable {
    private final TinyModel model;
    private final int windowSize;
    private final int channels;
    private final TfGraph tf;

    public TinyModelTf(TinyModel model) {
        this.model = model;
        this.windowSize = model.windowSize();
        this.channels = model.channels();
        this.tf = new TfGraph("TF tiny model " + model.version());
        try {
            build(Ops.create(tf.graph()));
        } catch (RuntimeException e) {
            tf.close();
            throw e;
        }
    }

    private void build(Ops tf) {
        int w = windowSize;
        Placeholder<TFloat32> x = tf.withName("window")
                .placeholder(TFloat32.class, Placeholder.shape(Shape.of(w, channels)));
        Operand<org.tensorflow.types.TInt32> rows = tf.constant(0);
        Operand<TFloat32> mean = tf.math.mean(x, rows);
        Operand<TFloat32> centered = tf.math.sub(x, mean);
        float[][] ramp = new float[w][1];
        for (int i = 0; i < w; i++) {
            ramp[i][0] = (float) (i - (w - 1) / 2.0);
        }
        List<Operand<TFloat32>> parts = new ArrayList<>();
        for (Feature f : model.features()) {
            parts.add(switch (f) {
                case MEAN -> mean;
                case STD -> tf.math.sqrt(tf.math.mean(tf.math.square(centered), rows));
                case MIN -> tf.reduceMin(x, rows);
                case MAX -> tf.reduceMax(x, rows);
                case LAST -> tf.reshape(tf.slice(x, tf.constant(new int[]{w - 1, 0}), tf.constant(new int[]{1, channels})),
                        tf.constant(new int[]{channels}));
                case SLOPE -> w < 2 ? tf.zerosLike(mean)
                        : tf.math.div(tf.reduceSum(tf.math.mul(tf.constant(ramp), centered), rows),
                        tf.constant((float) (w * (w * (double) w - 1) / 12.0)));
            });
        }
        int d = model.dimension();
        Operand<TFloat32> features = tf.reshape(tf.concat(parts, tf.constant(0)), tf.constant(new int[]{1, d}));
        Operand<TFloat32> z = tf.math.div(tf.math.sub(features, tf.constant(new float[][]{toFloat(model.center())})),
                tf.constant(new float[][]{toFloat(model.scale())}));
        double[][] components = model.components();
        int k = components.length;
        Operand<TFloat32> t2;
        Operand<TFloat32> residual;
        if (k == 0) {
            t2 = tf.constant(0f);
            residual = z;
        } else {
            float[][] basis = new float[k][];
            for (int j = 0; j < k; j++) {
                basis[j] = toFloat(components[j]);
            }
            Operand<TFloat32> wk = tf.constant(basis);                       // [k, d]
            Operand<TFloat32> t = tf.linalg.matMul(z, wk, org.tensorflow.op.linalg.MatMul.transposeB(true)); // [1, k]
            t2 = tf.reduceSum(tf.math.div(tf.math.square(t), tf.constant(new float[][]{toFloat(model.eigenvalues())})),
                    tf.constant(new int[]{0, 1}));
            residual = tf.math.sub(z, tf.linalg.matMul(t, wk));              // [1, d]
        }
        Operand<TFloat32> q = tf.reduceSum(tf.math.square(residual), tf.constant(new int[]{0, 1}));
        Operand<TFloat32> raw = tf.math.add(tf.math.div(t2, tf.constant((float) model.t2Limit())),
                tf.math.div(q, tf.constant((float) model.qLimit())));
        tf.withName("score").math.div(raw, tf.constant((float) model.scoreScale()));
    }

    private static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    public TinyModel model() {
        return model;
    }

    /** The unsmoothed calibrated score of a window given as rows [sample][channel] (exactly windowSize rows). */
    public double score(double[][] window) {
        if (window == null || window.length != windowSize || window[0] == null || window[0].length != channels) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "window shape does not match model "
                    + model.version() + " (" + windowSize + "x" + channels + ")");
        }
        float[] in = new float[windowSize * channels];
        for (int i = 0; i < windowSize; i++) {
            double[] row = window[i];
            if (row.length != channels) {
                throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "window row " + i + " has " + row.length + " channels");
            }
            for (int c = 0; c < channels; c++) {
                in[i * channels + c] = (float) row[c];
            }
        }
        return tf.read(() -> {
            try (TFloat32 x = TFloat32.tensorOf(Shape.of(windowSize, channels), DataBuffers.of(in, true, false));
                 Result result = tf.session().runner().feed("window", x).fetch("score").run()) {
                return (double) ((TFloat32) result.get(0)).getFloat();
            }
        });
    }

    @Override
    public void close() {
        tf.close();
    }
}
