package dev.tandem.sim.publish;

import dev.tandem.shared.config.BrokerAddress;
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
 */
public record PublisherConfig(String site, BrokerAddress broker, String clientId, int qos, double ratePerDevice,
                              long samplesPerDevice, int maxInflight, Duration connectTimeout, Duration drainTimeout) {
    public static final double AS_FAST_AS_POSSIBLE = Double.POSITIVE_INFINITY;
    public static final double DEFAULT_RATE_PER_DEVICE = 10.0;
    public static final int DEFAULT_MAX_INFLIGHT = 1000;

    public PublisherConfig {
        try {
            Checks.id("site", site);
            Checks.nonBlank("clientId", clientId);
        } catch (TandemException e) {
            throw invalid(e.getMessage());
        }
        Objects.requireNonNull(broker, "broker");
        if (qos < 0 || qos > 2) {
            throw invalid("qos must be 0, 1 or 2, got " + qos);
        }
        if (!(ratePerDevice > 0)) {
            throw invalid("ratePerDevice must be > 0 (or AS_FAST_AS_POSSIBLE), got " + ratePerDevice);
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
        return new PublisherConfig(site, broker, "tandem-sim-" + site + "-" + UUID.randomUUID().toString().substring(0, 8),
                1, DEFAULT_RATE_PER_DEVICE, 0, DEFAULT_MAX_INFLIGHT, Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    public boolean asFastAsPossible() {
        return Double.isInfinite(ratePerDevice);
    }

    public PublisherConfig withQos(int qos) {
        return new PublisherConfig(site, broker, clientId, qos, ratePerDevice, samplesPerDevice, maxInflight, connectTimeout, drainTimeout);
    }

    public PublisherConfig withRatePerDevice(double ratePerDevice) {
        return new PublisherConfig(site, broker, clientId, qos, ratePerDevice, samplesPerDevice, maxInflight, connectTimeout, drainTimeout);
    }

    public PublisherConfig asFastAsPossible(boolean fast) {
        return withRatePerDevice(fast ? AS_FAST_AS_POSSIBLE : DEFAULT_RATE_PER_DEVICE);
    }

    public PublisherConfig withSamplesPerDevice(long samplesPerDevice) {
        return new PublisherConfig(site, broker, clientId, qos, ratePerDevice, samplesPerDevice, maxInflight, connectTimeout, drainTimeout);
    }

    public PublisherConfig withMaxInflight(int maxInflight) {
        return new PublisherConfig(site, broker, clientId, qos, ratePerDevice, samplesPerDevice, maxInflight, connectTimeout, drainTimeout);
    }

    public PublisherConfig withClientId(String clientId) {
        return new PublisherConfig(site, broker, clientId, qos, ratePerDevice, samplesPerDevice, maxInflight, connectTimeout, drainTimeout);
    }

    public PublisherConfig withConnectTimeout(Duration connectTimeout) {
        return new PublisherConfig(site, broker, clientId, qos, ratePerDevice, samplesPerDevice, maxInflight, connectTimeout, drainTimeout);
    }

    public PublisherConfig withDrainTimeout(Duration drainTimeout) {
        return new PublisherConfig(site, broker, clientId, qos, ratePerDevice, samplesPerDevice, maxInflight, connectTimeout, drainTimeout);
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "PublisherConfig: " + message);
    }
}
