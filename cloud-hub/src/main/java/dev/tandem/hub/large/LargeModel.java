package dev.tandem.hub.large;

import java.util.List;

/**
 * SKELETON: to be implemented (TensorFlow Java). The hub's large model for one device.
 */
public final class LargeModel implements AutoCloseable {
    /** Trains on a device's commissioning rows [t][channel] (assumed normal), in time order. */
    public static LargeModel train(double[][] rows, LargeModelConfig config, String version) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    public String version() { throw new UnsupportedOperationException(); }

    public int channels() { throw new UnsupportedOperationException(); }

    /** Samples of history read per verdict. */
    public int contextSize() { throw new UnsupportedOperationException(); }

    public long parameterCount() { throw new UnsupportedOperationException(); }

    /**
     * Calibrated scores (>= 1.0 means anomaly) of a batch of contexts, each rows [t][channel],
     * oldest first, ending at the escalated window's last sample; a context shorter than
     * contextSize is padded. Thread-safe.
     */
    public double[] score(List<double[][]> contexts) { throw new UnsupportedOperationException(); }

    @Override
    public void close() { }
}
