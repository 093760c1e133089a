package dev.tandem.hub.large;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

/**
 * Training settings of the large model (a dense denoising autoencoder over the raw context).
 *
 * @param contextSize         samples of history per verdict (the autoencoder's input is contextSize x channels)
 * @param focus               the newest samples of the context whose reconstruction error is scored
 *                            (the escalated window and a little before it); 1..contextSize
 * @param quietWindow         the newest samples whose sample-to-sample variation is checked against
 *                            the commissioning's (a stuck sensor stops varying); 2..contextSize
 * @param hidden              width of the encoder's and decoder's hidden layers
 * @param bottleneck          width of the code
 * @param steps               Adam steps (mini-batches) of training
 * @param batchSize           contexts per mini-batch
 * @param learningRate        Adam learning rate
 * @param inputNoise          standard deviation of the Gaussian noise added to training inputs,
 *                            in standardized units (denoising regularises the small commissioning set)
 * @param calibrationQuantile the calibrated score 1.0 sits at about this quantile of normal scores (the
 *                            1 - calibrationQuantile false-alarm budget is shared by the per-channel tests)
 * @param holdoutFraction     the newest part of the commissioning rows kept out of training: the
 *                            residual level of each channel is measured there, where the network has
 *                            not memorised the noise (training on all and calibrating on the same
 *                            rows flags ~10% of later normal contexts)
 * @param seed                seed of the weight initialisers, batch order and noise
 * @param driftWindow         the slow scale (samples) at which a channel's level wander is measured on the
 *                            commissioning rows, as the tiny model does (0: off)
 * @param driftTolerance      a channel whose wander ratio (commissioning std / root mean variance inside
 *                            driftWindow-sample windows) reaches this drifts: the network sees its shape only
 *                            (each context de-meaned) and the level test skips it
 */
public record LargeModelConfig(int contextSize, int focus, int quietWindow, int hidden, int bottleneck, int steps, int batchSize,
                               double learningRate, double inputNoise, double calibrationQuantile,
                               double holdoutFraction, long seed, int driftWindow, double driftTolerance) {
    public LargeModelConfig {
        if (contextSize < 2 || contextSize > 4096) {
            throw invalid("contextSize must be in [2, 4096], got " + contextSize);
        }
        if (focus < 1 || focus > contextSize) {
            throw invalid("focus must be in [1, contextSize], got " + focus);
        }
        if (quietWindow < 2 || quietWindow > contextSize) {
            throw invalid("quietWindow must be in [2, contextSize], got " + quietWindow);
        }
        if (hidden < 1 || bottleneck < 1 || bottleneck > hidden) {
            throw invalid("need 1 <= bottleneck <= hidden, got " + bottleneck + ", " + hidden);
        }
        if (steps < 1 || batchSize < 1) {
            throw invalid("steps and batchSize must be >= 1");
        }
        if (!(learningRate > 0 && learningRate < 1)) {
            throw invalid("learningRate must be in (0, 1), got " + learningRate);
        }
        if (!(inputNoise >= 0 && inputNoise < 10)) {
            throw invalid("inputNoise must be in [0, 10), got " + inputNoise);
        }
        if (!(calibrationQuantile > 0.5 && calibrationQuantile < 1)) {
            throw invalid("calibrationQuantile must be in (0.5, 1), got " + calibrationQuantile);
        }
        if (driftWindow < 0 || (driftWindow > 0 && driftWindow < 3)) {
            throw invalid("driftWindow must be 0 (off) or >= 3, got " + driftWindow);
        }
        if (!(driftTolerance >= 1 && driftTolerance <= 10)) {
            throw invalid("driftTolerance must be in [1, 10], got " + driftTolerance);
        }
        if (!(holdoutFraction > 0 && holdoutFraction < 0.9)) {
            throw invalid("holdoutFraction must be in (0, 0.9), got " + holdoutFraction);
        }
    }

    /** The defaults' context size. */
    public static final int DEFAULT_CONTEXT = 12;
    /** The focus of the defaults, at most the context size. */
    public static final int DEFAULT_FOCUS = 16;
    /** The quiet window of the defaults, at most the context size. */
    public static final int DEFAULT_QUIET_WINDOW = 10;

    /**
     * Context 12 (each run of uncertain windows first sends the hub the device's context, so the
     * context sets most of the uplink: on SKAB valve1 with the 4% escalation budget, context 32 sends
     * 12.8% of the raw bytes, 16 sends 7.7%, 12 sends 6.2%, at the same F1), focus 12,
     * quiet window 10, 64-16-64 hidden layers, 1000 steps of 64, noise 0.3, threshold at 99.5%, newest
     * 25% held out.
     */
    public static LargeModelConfig defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration (focus and quiet window as set here). */
    public Builder toBuilder() {
        return new Builder().contextSize(contextSize).focus(focus).quietWindow(quietWindow).hidden(hidden)
                .bottleneck(bottleneck).steps(steps).batchSize(batchSize).learningRate(learningRate)
                .inputNoise(inputNoise).calibrationQuantile(calibrationQuantile).holdoutFraction(holdoutFraction)
                .seed(seed).driftWindow(driftWindow).driftTolerance(driftTolerance);
    }

    /** Mutable builder of a {@link LargeModelConfig}; {@link #build()} validates. */
    public static final class Builder {
        private int contextSize = DEFAULT_CONTEXT;
        private int hidden = 64;
        private int bottleneck = 16;
        private int steps = 1000;
        private int batchSize = 64;
        private double learningRate = 2e-3;
        private double inputNoise = 0.3;
        private double calibrationQuantile = 0.995;
        private double holdoutFraction = 0.25;
        private long seed = 42;
        private int driftWindow = 60;
        private double driftTolerance = 1.25;
        /** null: min(DEFAULT_FOCUS, contextSize). */
        private Integer focus;
        /** null: min(DEFAULT_QUIET_WINDOW, contextSize). */
        private Integer quietWindow;

        private Builder() {
        }

        /** Samples of history per verdict; focus and quiet window, unless set, follow it (see {@link #focus}, {@link #quietWindow}). */
        public Builder contextSize(int contextSize) {
            this.contextSize = contextSize;
            return this;
        }

        public Builder hidden(int hidden) {
            this.hidden = hidden;
            return this;
        }

        public Builder bottleneck(int bottleneck) {
            this.bottleneck = bottleneck;
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder inputNoise(double inputNoise) {
            this.inputNoise = inputNoise;
            return this;
        }

        public Builder calibrationQuantile(double calibrationQuantile) {
            this.calibrationQuantile = calibrationQuantile;
            return this;
        }

        public Builder holdoutFraction(double holdoutFraction) {
            this.holdoutFraction = holdoutFraction;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder driftWindow(int driftWindow) {
            this.driftWindow = driftWindow;
            return this;
        }

        public Builder driftTolerance(double driftTolerance) {
            this.driftTolerance = driftTolerance;
            return this;
        }

        /** The newest samples scored (default: min(16, contextSize)). */
        public Builder focus(int focus) {
            this.focus = focus;
            return this;
        }

        /** The newest samples checked for a stuck sensor (default: min(10, contextSize)). */
        public Builder quietWindow(int quietWindow) {
            this.quietWindow = quietWindow;
            return this;
        }

        /** Both hidden layers' width and the code's. */
        public Builder layers(int hidden, int bottleneck) {
            this.hidden = hidden;
            this.bottleneck = bottleneck;
            return this;
        }

        public LargeModelConfig build() {
            return new LargeModelConfig(contextSize, focus == null ? Math.min(DEFAULT_FOCUS, contextSize) : focus,
                    quietWindow == null ? Math.min(DEFAULT_QUIET_WINDOW, contextSize) : quietWindow, hidden, bottleneck,
                    steps, batchSize, learningRate, inputNoise, calibrationQuantile, holdoutFraction, seed, driftWindow,
                    driftTolerance);
        }
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }
}
