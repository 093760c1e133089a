package dev.tandem.sim.publish;

import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * How a {@link SensorPublisher} publishes a factory line's readings. Invalid values are refused with
 * {@link ErrorCode#INVALID_CONFIG}.
 *
 * @param site             site id of the topics ({@code tandem/v1/{site}/{device}/readings})
 * @param broker           the MQTT broker
 * @param clientId         MQTT client id (unique per broker)
 * @param qos              0, 1 or 2 (default 1)
 * @param ratePerDevice    samples per second per device; {@link #AS_FAST_AS_POSSIBLE} publishes as
 *                         fast as the in-flight window allows (benchmarks)
 * @param samplesPerDevice samples to publish per device, then stop; 0 = until stopped
 * @param maxInflight      unacknowledged publishes allowed at once (the client's maxInflightQueue);
 *                         the publisher never exceeds it, so nothing is refused by the client
 * @param connectTimeout   bound on connecting to the broker
 * @param drainTimeout     on stop, bound on waiting for in-flight acknowledgements
 * @param login            the sensor publisher's credentials and the site CA ({@link BrokerLogin#none()}:
 *                         anonymous); with credentials the client id is the username
 * @param wallClock        stamp the samples with the wall clock: the line's simulated clock is mapped onto
 *                         the moment publishing starts, one stamp every {@code 1 / ratePerDevice} s (see
 *                         {@link dev.tandem.sim.factory.FactoryLine#stampWallClock}); false: the line's own
 *                         simulated clock from its configured start (reproducible stamps, for tests and
 *                         benchmarks). Needs a finite rate.
 */
public record PublisherConfig(String site, BrokerAddress broker, String clientId, int qos, double ratePerDevice,
                              long samplesPerDevice, int maxInflight, Duration connectTimeout, Duration drainTimeout,
                              BrokerLogin login, boolean wallClock) {
    public static final double AS_FAST_AS_POSSIBLE = Double.POSITIVE_INFINITY;
    /** Readings per second per device (Hz), the one default of every command that simulates ({@code sim}, {@code demo}). */
    public static final double DEFAULT_RATE_PER_DEVICE = 25.0;
    public static final int DEFAULT_MAX_INFLIGHT = 1000;
    public static final int DEFAULT_QOS = 1;
    /** {@code samplesPerDevice} 0: publish until stopped. */
    public static final long UNTIL_STOPPED = 0;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    public PublisherConfig {
        try {
            Checks.id("site", site);
            Checks.nonBlank("clientId", clientId);
        } catch (TandemException e) {
            throw invalid(e.getMessage());
        }
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(login, "login");
        try {
            login.checkFor(broker);
        } catch (TandemException e) {
            throw invalid(e.getMessage());
        }
        clientId = login.clientId(clientId);
        if (qos < 0 || qos > 2) {
            throw invalid("qos must be 0, 1 or 2, got " + qos);
        }
        if (!(ratePerDevice > 0)) {
            throw invalid("ratePerDevice must be > 0 (or AS_FAST_AS_POSSIBLE), got " + ratePerDevice);
        }
        if (wallClock && Double.isInfinite(ratePerDevice)) {
            throw invalid("a wall clock needs a finite rate: as fast as possible, samples keep the simulated clock");
        }
        if (samplesPerDevice < 0) {
            throw invalid("samplesPerDevice must be >= 0 (0 = until stopped), got " + samplesPerDevice);
        }
        if (maxInflight < 1 || maxInflight > 65535) {
            throw invalid("maxInflight must be in [1, 65535], got " + maxInflight);
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                || drainTimeout == null || drainTimeout.isNegative()) {
            throw invalid("connectTimeout must be positive and drainTimeout not negative");
        }
    }

    /** QoS 1, {@value #DEFAULT_RATE_PER_DEVICE} samples/s per device, until stopped. */
    public static PublisherConfig defaults(String site, BrokerAddress broker) {
        return builder(site, broker).build();
    }

    /**
     * A builder with every default filled in: QoS {@value #DEFAULT_QOS}, {@value #DEFAULT_RATE_PER_DEVICE}
     * samples/s per device, until stopped, a client id {@code tandem-sim-{site}-{random}}.
     */
    public static Builder builder(String site, BrokerAddress broker) {
        return new Builder(site, broker);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(site, broker).clientId(clientId).qos(qos).ratePerDevice(ratePerDevice)
                .samplesPerDevice(samplesPerDevice).maxInflight(maxInflight).connectTimeout(connectTimeout)
                .drainTimeout(drainTimeout)
                .login(login).wallClock(wallClock);
    }

    public boolean asFastAsPossible() {
        return Double.isInfinite(ratePerDevice);
    }

    /** Mutable builder of a {@link PublisherConfig}; {@link #build()} validates. */
    public static final class Builder {
        private final String site;
        private final BrokerAddress broker;
        private String clientId;
        private BrokerLogin login = BrokerLogin.none();
        private int qos = DEFAULT_QOS;
        private double ratePerDevice = DEFAULT_RATE_PER_DEVICE;
        private long samplesPerDevice = UNTIL_STOPPED;
        private boolean wallClock;
        private int maxInflight = DEFAULT_MAX_INFLIGHT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;

        private Builder(String site, BrokerAddress broker) {
            this.site = site;
            this.broker = broker;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder qos(int qos) {
            this.qos = qos;
            return this;
        }

        public Builder ratePerDevice(double samplesPerSecond) {
            this.ratePerDevice = samplesPerSecond;
            return this;
        }

        /** As fast as the in-flight window allows ({@link #AS_FAST_AS_POSSIBLE}). */
        public Builder asFastAsPossible() {
            return ratePerDevice(AS_FAST_AS_POSSIBLE);
        }

        public Builder samplesPerDevice(long n) {
            this.samplesPerDevice = n;
            return this;
        }

        public Builder maxInflight(int n) {
            this.maxInflight = n;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder drainTimeout(Duration d) {
            this.drainTimeout = d;
            return this;
        }

        /** Stamp samples with the wall clock from the start of publishing (default: the line's simulated clock). */
        public Builder wallClock(boolean wall) {
            this.wallClock = wall;
            return this;
        }

        /** Credentials and the site CA (default: anonymous, plain TCP). */
        public Builder login(BrokerLogin login) {
            this.login = login;
            return this;
        }

        public PublisherConfig build() {
            String id = clientId != null ? clientId
                    : "tandem-sim-" + site + "-" + UUID.randomUUID().toString().substring(0, 8);
            return new PublisherConfig(site, broker, id, qos, ratePerDevice, samplesPerDevice, maxInflight,
                    connectTimeout, drainTimeout, login, wallClock);
        }
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "PublisherConfig: " + message);
    }
}
