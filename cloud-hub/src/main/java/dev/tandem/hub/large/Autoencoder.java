package dev.tandem.hub.large;

import dev.tandem.hub.tf.TfGraph;
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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The large model's dense denoising autoencoder in TensorFlow (graph mode, one {@link TfGraph}):
 * input, hidden, bottleneck, hidden, input; ReLU, linear code and output; trained with Adam on
 * mini-batches of noisy copies of the contexts to reconstruct the clean ones. Reading
 * ({@link #energies}) is thread-safe inside {@link #read}.
 */
final class Autoencoder implements AutoCloseable {
    private static final int NOISE_POOL = 1 << 16;

    private final ContextTensors layout;
    private final int inputSize;
    private final long parameterCount;
    private final int[] dims;
    private final TfGraph tf;
    /** The training step; null for a network restored from its weights. */
    private final Op train;

    /** Builds the graph of a device's network (weights initialised from the config's seed). */
    Autoencoder(String version, ContextTensors layout, LargeModelConfig config) {
        this.layout = layout;
        this.inputSize = layout.inputSize;
        this.dims = layerSizes(inputSize, config);
        this.parameterCount = parameterCount(dims);
        this.tf = new TfGraph("large model " + version);
        try {
            this.train = buildGraph(config);
        } catch (RuntimeException e) {
            tf.close();
            throw e;
        }
    }

    /**
     * A trained network from its layer sizes, weights and biases (as {@link #weights()} and
     * {@link #biases()} read them): the same layers as a trained one, the weights as constants, no
     * training step. Scores as the network they were read from (to float precision).
     */
    Autoencoder(String version, ContextTensors layout, int[] dims, List<float[]> weights, List<float[]> biases) {
        this.layout = layout;
        this.inputSize = layout.inputSize;
        this.dims = dims.clone();
        this.parameterCount = parameterCount(dims);
        this.tf = new TfGraph("large model " + version);
        this.train = null;
        try {
            Ops ops = Ops.create(this.tf.graph());
            Operand<TFloat32> h = ops.withName("input")
                    .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, inputSize)));
            for (int i = 0; i + 1 < dims.length; i++) {
                Operand<TFloat32> w = ops.withName("W" + i).constant(Shape.of(dims[i], dims[i + 1]),
                        DataBuffers.of(weights.get(i), true, false));
                Operand<TFloat32> b = ops.withName("b" + i).constant(Shape.of(dims[i + 1]),
                        DataBuffers.of(biases.get(i), true, false));
                h = ops.math.add(ops.linalg.matMul(h, w), b);
                if (relu(i, dims)) {
                    h = ops.nn.relu(h);
                }
            }
            ops.withName("output").identity(h);
        } catch (RuntimeException e) {
            tf.close();
            throw e;
        }
    }

    private static long parameterCount(int[] dims) {
        long params = 0;
        for (int i = 0; i + 1 < dims.length; i++) {
            params += (long) dims[i] * dims[i + 1] + dims[i + 1];
        }
        return params;
    }

    /** ReLU after every hidden layer but the bottleneck (the code is linear, and so is the output). */
    private static boolean relu(int layer, int[] dims) {
        return layer + 2 < dims.length && layer != 1;
    }

    /** The layer sizes, input to output. */
    int[] layers() {
        return dims.clone();
    }

    /** The weight matrices' current values, row-major, first layer first. */
    List<float[]> weights() {
        return read("W", true);
    }

    /** The bias vectors' current values, first layer first. */
    List<float[]> biases() {
        return read("b", false);
    }

    private List<float[]> read(String prefix, boolean matrix) {
        return read(() -> {
            List<float[]> out = new ArrayList<>();
            for (int i = 0; i + 1 < dims.length; i++) {
                float[] values = new float[matrix ? dims[i] * dims[i + 1] : dims[i + 1]];
                try (Result r = tf.session().runner().fetch(prefix + i).run()) {
                    ((TFloat32) r.get(0)).copyTo(DataBuffers.of(values, false, false));
                }
                out.add(values);
            }
            return out;
        });
    }

    private static int[] layerSizes(int inputSize, LargeModelConfig config) {
        return new int[]{inputSize, config.hidden(), config.bottleneck(), config.hidden(), inputSize};
    }

    /** Trainable weights and biases. */
    long parameterCount() {
        return parameterCount;
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
            if (relu(i, dims)) {
                h = tf.nn.relu(h);
            }
        }
        Operand<TFloat32> output = tf.withName("output").identity(h);
        Operand<TFloat32> loss = tf.withName("loss")
                .math.mean(tf.math.squaredDifference(output, target), tf.constant(new int[]{0, 1}));
        Op op = new Adam(this.tf.graph(), (float) config.learningRate()).minimize(loss, "train");
        this.tf.session().initialize();
        return op;
    }

    /** Trains on the first {@code n} contexts of {@code contexts} (config.steps() Adam steps, seeded). */
    void train(float[] contexts, int n, LargeModelConfig config) {
        if (train == null) {
            throw new IllegalStateException("a restored network is not trained further");
        }
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

    /** Per context, per channel: mean squared reconstruction error over the newest {@code focus} samples. */
    double[][] energies(float[] contexts, int first, int count) {
        int channels = layout.channels;
        int contextSize = layout.contextSize;
        int focus = layout.focus;
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

    /** Runs {@code body} as one of many concurrent readers; {@link IllegalStateException} once closed. */
    <T> T read(Supplier<T> body) {
        return tf.read(body);
    }

    /** Makes what this thread wrote so far visible to every later {@link #read}. */
    void publish() {
        tf.publish();
    }

    /** Frees the native graph and session; waits for running reads; idempotent. */
    @Override
    public void close() {
        tf.close();
    }
}
