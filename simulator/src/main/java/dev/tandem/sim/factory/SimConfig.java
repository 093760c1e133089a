package dev.tandem.sim.factory;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of a simulated factory line. Invalid values are refused with
 * {@link ErrorCode#INVALID_CONFIG}.
 *
 * @param seed                 everything generated is a function of the seed (and the other fields)
 * @param devices              number of machines, named {@code machine-01} .. {@code machine-NN}
 * @param commissioningSamples first samples of every machine that are guaranteed normal (the
 *                             commissioning period the first model is fitted on)
 * @param samplePeriod         simulated time between two samples of one machine (ts = start + seq * period)
 * @param start                timestamp of sample 0
 * @param anomalyRate          target fraction of post-commissioning samples that are anomalous, in [0, 0.5]
 * @param kinds                the anomaly kinds the random planner injects (empty with a rate of 0 = a healthy
 *                             line); kinds it does not plan ({@link AnomalyKind#RANDOM} lists those it does)
 *                             are dropped, they come from a {@link DeviceScript} only
 */
public record SimConfig(long seed, int devices, int commissioningSamples, Duration samplePeriod, Instant start,
                        double anomalyRate, Set<AnomalyKind> kinds) {
    /** The edge agent's ({@link dev.tandem.edge.EdgeConfig#DEFAULT_COMMISSIONING_SAMPLES}): the readings a device sends
     *  the hub before its first model are the ones the simulator keeps free of anomalies. */
    public static final int DEFAULT_COMMISSIONING_SAMPLES = dev.tandem.edge.EdgeConfig.DEFAULT_COMMISSIONING_SAMPLES;
    public static final Duration DEFAULT_SAMPLE_PERIOD = Duration.ofSeconds(1);
    /** A fixed epoch, so that streams (timestamps included) are identical from run to run. */
    public static final String DEFAULT_START_TEXT = "2025-01-01T00:00:00Z";
    public static final Instant DEFAULT_START = Instant.parse(DEFAULT_START_TEXT);
    public static final double DEFAULT_ANOMALY_RATE = 0.15;
    public static final int MAX_DEVICES = 9_999;
    /** The seed the commands simulate with unless told otherwise. */
    public static final long DEFAULT_SEED = 42;
    /** The machines a simulated line has unless told otherwise ({@code sim}, {@code demo}). */
    public static final int DEFAULT_DEVICES = 10;

    public SimConfig {
        if (devices < 1 || devices > MAX_DEVICES) {
            throw invalid("devices must be in [1, " + MAX_DEVICES + "], got " + devices);
        }
        if (commissioningSamples < 0) {
            throw invalid("commissioningSamples must be >= 0, got " + commissioningSamples);
        }
        if (samplePeriod == null || samplePeriod.toMillis() < 1) {
            throw invalid("samplePeriod must be at least 1 ms, got " + samplePeriod);
        }
        Objects.requireNonNull(start, "start");
        if (!(anomalyRate >= 0.0 && anomalyRate <= 0.5)) {
            throw invalid("anomalyRate must be in [0, 0.5], got " + anomalyRate);
        }
        EnumSet<AnomalyKind> planned = EnumSet.noneOf(AnomalyKind.class);
        if (kinds != null) {
            planned.addAll(kinds);
            planned.retainAll(AnomalyKind.RANDOM);
        }
        kinds = Set.copyOf(planned);
        if (anomalyRate > 0 && kinds.isEmpty()) {
            throw invalid("anomalyRate " + anomalyRate + " needs at least one anomaly kind");
        }
    }

    /**
     * How much faster the machines' simulated process runs than the wall clock when the line is published
     * at {@code ratePerDevice} readings per second per machine (one {@link #samplePeriod()} per reading).
     */
    public double speedup(double ratePerDevice) {
        return ratePerDevice * samplePeriod.toMillis() / 1000.0;
    }

    /** Defaults for everything but the seed and the number of machines. */
    public static SimConfig defaults(long seed, int devices) {
        return builder(seed, devices).build();
    }

    /** A builder with every default filled in but the seed and the number of machines. */
    public static Builder builder(long seed, int devices) {
        return new Builder(seed, devices);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(seed, devices).commissioningSamples(commissioningSamples).samplePeriod(samplePeriod)
                .start(start).anomalyRate(anomalyRate).kinds(kinds);
    }

    /** Mutable builder of a {@link SimConfig}; {@link #build()} validates. */
    public static final class Builder {
        private long seed;
        private int devices;
        private int commissioningSamples = DEFAULT_COMMISSIONING_SAMPLES;
        private Duration samplePeriod = DEFAULT_SAMPLE_PERIOD;
        private Instant start = DEFAULT_START;
        private double anomalyRate = DEFAULT_ANOMALY_RATE;
        private Set<AnomalyKind> kinds = AnomalyKind.RANDOM;

        private Builder(long seed, int devices) {
            this.seed = seed;
            this.devices = devices;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder devices(int devices) {
            this.devices = devices;
            return this;
        }

        public Builder commissioningSamples(int n) {
            this.commissioningSamples = n;
            return this;
        }

        public Builder samplePeriod(Duration period) {
            this.samplePeriod = period;
            return this;
        }

        public Builder start(Instant start) {
            this.start = start;
            return this;
        }

        public Builder anomalyRate(double rate) {
            this.anomalyRate = rate;
            return this;
        }

        public Builder kinds(Set<AnomalyKind> kinds) {
            this.kinds = kinds;
            return this;
        }

        /** A line without anomalies: rate 0, no kinds. */
        public Builder healthy() {
            return anomalyRate(0).kinds(Set.of());
        }

        public SimConfig build() {
            return new SimConfig(seed, devices, commissioningSamples, samplePeriod, start, anomalyRate, kinds);
        }
    }

    /** Device id of machine {@code index} (0-based): {@code machine-01}, {@code machine-02}, ... */
    public static String deviceId(int index) {
        return String.format("machine-%02d", index + 1);
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "SimConfig: " + message);
    }
}
