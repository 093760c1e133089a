package dev.tandem.shared.tiny;

import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.util.Arrays;

/**
 * The level-shift stage of a {@link TinyModel}: per channel, a fast exponential average of the
 * standardized samples against a slowly adapting reference level, the largest weighted deviation
 * over the channels being the score (1.0 = its limit). It watches what a window's summary misses:
 * a small but lasting shift of one channel's level (a valve closing a little lowers the flow by one
 * quantisation step), which one short window cannot tell from noise but a few dozen samples can.
 *
 * <p>Per sample row x (one value per channel):
 * <ol>
 *   <li>z = (x - center) / spread (the channel's commissioning mean and standard deviation);</li>
 *   <li>fast = fastRate * z + (1 - fastRate) * fast (about 1 / fastRate samples of memory);</li>
 *   <li>score = max over channels of weight * |fast - reference| / scale, divided by limit;</li>
 *   <li>the reference follows the level, reference = referenceRate * z + (1 - referenceRate) * reference,
 *       but only while the score is below 1.0: during an alarm it holds the level from before the shift,
 *       so that a lasting anomaly stays flagged until the level comes back (an anomaly persists), while
 *       slow normal wander (a warming machine) is followed.</li>
 * </ol>
 * {@code weight} (in (0, 1]) trusts the level of a channel less the more it wandered during commissioning
 * (the same drift measure as the window features' drift-robust levels); {@code scale} is the standard
 * deviation of fast - reference over commissioning.
 *
 * @param fastRate      in (0, 1]
 * @param referenceRate in [0, fastRate)
 * @param center        per channel
 * @param spread        per channel, > 0
 * @param scale         per channel, > 0
 * @param weight        per channel, in [0, 1]
 * @param limit         the calibrated limit (> 0): score 1.0
 */
public record LevelShift(double fastRate, double referenceRate, double[] center, double[] spread, double[] scale,
                         double[] weight, double limit) {

    public LevelShift {
        if (!(fastRate > 0 && fastRate <= 1) || !(referenceRate >= 0 && referenceRate < fastRate)) {
            throw TandemException.invalid("level shift needs 0 <= referenceRate < fastRate <= 1, got "
                    + referenceRate + ", " + fastRate);
        }
        int c = center == null ? 0 : center.length;
        if (c == 0) {
            throw TandemException.invalid("level shift center must not be empty");
        }
        center = Checks.finite("levelShift.center", center).clone();
        spread = positive("levelShift.spread", spread, c);
        scale = positive("levelShift.scale", scale, c);
        if (weight == null || weight.length != c) {
            throw TandemException.invalid("levelShift.weight must have " + c + " values");
        }
        weight = Checks.finite("levelShift.weight", weight).clone();
        for (double w : weight) {
            if (w < 0 || w > 1) {
                throw TandemException.invalid("levelShift.weight must be in [0, 1]");
            }
        }
        if (!(limit > 0) || !Double.isFinite(limit)) {
            throw TandemException.invalid("levelShift.limit must be finite and > 0");
        }
    }

    private static double[] positive(String what, double[] v, int c) {
        if (v == null || v.length != c) {
            throw TandemException.invalid(what + " must have " + c + " values");
        }
        double[] out = Checks.finite(what, v).clone();
        for (double x : out) {
            if (x <= 0) {
                throw TandemException.invalid(what + " must be > 0");
            }
        }
        return out;
    }

    public int channels() {
        return center.length;
    }

    /** Trained parameters: center, spread, scale, weight per channel, and the limit. */
    public int parameterCount() {
        return 4 * channels() + 1;
    }

    /** The same stage with another limit. */
    public LevelShift withLimit(double newLimit) {
        return new LevelShift(fastRate, referenceRate, center, spread, scale, weight, newLimit);
    }

    /** A new stateful tracker for one stream. */
    public Tracker tracker() {
        return new Tracker(this);
    }

    @Override
    public double[] center() {
        return center.clone();
    }

    @Override
    public double[] spread() {
        return spread.clone();
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }

    @Override
    public double[] weight() {
        return weight.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LevelShift s && s.fastRate == fastRate && s.referenceRate == referenceRate
                && Arrays.equals(s.center, center) && Arrays.equals(s.spread, spread) && Arrays.equals(s.scale, scale)
                && Arrays.equals(s.weight, weight) && s.limit == limit;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(center) * 31 + Double.hashCode(limit);
    }

    @Override
    public String toString() {
        return "LevelShift[fast " + fastRate + ", reference " + referenceRate + ", " + channels() + " channels, limit "
                + limit + "]";
    }

    /**
     * The stage's state on one stream: no allocation per sample, not thread-safe. The fast average and
     * the reference start at the mean of the rows it is first started with.
     */
    public static final class Tracker {
        private final LevelShift stage;
        private final double[] fast;
        private final double[] reference;
        private boolean started;
        private boolean referenced;
        private boolean holding;

        private Tracker(LevelShift stage) {
            this.stage = stage;
            this.fast = new double[stage.channels()];
            this.reference = new double[stage.channels()];
        }

        /**
         * Starts (or, after a gap in the stream, restarts) the fast average at the mean of these rows
         * (oldest first, at least one); the first start sets the reference there too (the level the
         * stream is at when it is first watched), a restart keeps the reference it has learnt.
         */
        public void start(double[][] rows, int from, int to) {
            if (to <= from) {
                throw TandemException.invalid("level shift needs at least one row to start");
            }
            Arrays.fill(fast, 0);
            for (int t = from; t < to; t++) {
                check(rows[t]);
                for (int c = 0; c < fast.length; c++) {
                    fast[c] += z(rows[t], c);
                }
            }
            for (int c = 0; c < fast.length; c++) {
                fast[c] /= (to - from);
            }
            if (!referenced) {
                System.arraycopy(fast, 0, reference, 0, fast.length);
                referenced = true;
            }
            started = true;
        }

        /** The next row (or {@link #start}) starts the fast average over; the reference is kept. */
        public void restart() {
            started = false;
        }

        /** Whether {@link #start} has been called since construction or {@link #restart}. */
        public boolean started() {
            return started;
        }

        /** Feeds the next sample row and returns its score (1.0 = the limit); starts on this row if not started. */
        public double update(double[] row) {
            return update(row, true);
        }

        /**
         * As {@link #update(double[])}; with {@code hold} false the reference follows the level even
         * above the limit (how the stage is fitted and calibrated: on commissioning rows, assumed normal).
         */
        public double update(double[] row, boolean hold) {
            check(row);
            if (!started) {
                start(new double[][]{row}, 0, 1);
            }
            double a = stage.fastRate;
            double max = 0;
            for (int c = 0; c < fast.length; c++) {
                fast[c] = a * z(row, c) + (1 - a) * fast[c];
                double d = stage.weight[c] * Math.abs(fast[c] - reference[c]) / stage.scale[c];
                if (d > max || Double.isNaN(d)) {
                    max = d;
                }
            }
            double score = max / stage.limit;
            holding = hold && !(score < 1.0); // NaN holds too: a bad reading must not poison the reference
            if (!holding && !Double.isNaN(score)) {
                double b = stage.referenceRate;
                for (int c = 0; c < reference.length; c++) {
                    reference[c] = b * z(row, c) + (1 - b) * reference[c];
                }
            }
            return score;
        }

        /** The current deviation fast - reference of each channel (standardized units), for fitting. */
        public void deviation(double[] out) {
            for (int c = 0; c < fast.length; c++) {
                out[c] = fast[c] - reference[c];
            }
        }

        /** Each channel's part of the score now (1.0 = the limit): its weighted deviation from the reference. */
        public void channelScores(double[] out) {
            for (int c = 0; c < fast.length; c++) {
                out[c] = stage.weight[c] * Math.abs(fast[c] - reference[c]) / stage.scale[c] / stage.limit;
            }
        }

        /** Whether the last sample's score held the reference (an alarm in progress). */
        public boolean holding() {
            return holding;
        }

        private double z(double[] row, int c) {
            return (row[c] - stage.center[c]) / stage.spread[c];
        }

        private void check(double[] row) {
            if (row == null || row.length != fast.length) {
                throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "level shift expects " + fast.length
                        + " channels, got " + (row == null ? 0 : row.length));
            }
        }
    }
}
