package dev.tandem.sim.broker;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link EmbeddedBroker}, and the HiveMQ {@code config.xml} they make. Invalid values
 * are refused with {@link ErrorCode#INVALID_CONFIG}. Build with {@link #builder()}.
 *
 * @param host             address to bind, loopback by default
 * @param port             TCP port; 0 picks a free port at each start
 * @param maxQueueSize     messages queued per client (offline or slower than its publishers)
 *                         before HiveMQ drops; large by default because a drop is silent
 * @param maxPacketSize    largest MQTT packet accepted, bytes
 * @param receiveMaximum   unacknowledged QoS 1/2 publishes a client may have in flight to the broker
 * @param startTimeout     bound on {@link EmbeddedBroker#start()}
 * @param stopTimeout      bound on {@link EmbeddedBroker#stop()}
 * @param site             a provisioned site directory ({@code ./tandem provision}): only its identities log in,
 *                         each only where the topic table lets it; null only with {@code insecure}
 * @param insecure         anonymous clients may do anything (tests of the broker itself, {@code --insecure}); a
 *                         warning is logged at every start
 * @param tlsPort          a TLS listener with the site's certificate: -1 none, 0 a free port at each start
 * @param dataDir          where HiveMQ keeps its file persistence (retained messages, sessions, queued messages),
 *                         kept across restarts; null: in memory, lost at stop (the default: file persistence costs
 *                         several times the CPU per message, see the README's broker-persistence figures)
 */
public record EmbeddedBrokerOptions(String host, int port, long maxQueueSize, int maxPacketSize, int receiveMaximum,
                                    Duration startTimeout, Duration stopTimeout, Path site, boolean insecure,
                                    int tlsPort, Path dataDir) {
    /** No TLS listener. */
    public static final int NO_TLS = -1;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final long DEFAULT_MAX_QUEUE_SIZE = 1_000_000L;
    public static final int DEFAULT_MAX_PACKET_SIZE = 2 * 1024 * 1024;
    /** The MQTT 5 maximum (HiveMQ's own default of 10 makes MQTT 5 clients fail past 10 in flight). */
    public static final int DEFAULT_RECEIVE_MAXIMUM = 65535;
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

    public EmbeddedBrokerOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw invalid("port must be in [0, 65535], got " + port);
        }
        if (maxQueueSize < 1) {
            throw invalid("maxQueueSize must be >= 1, got " + maxQueueSize);
        }
        if (maxPacketSize < 1024) {
            throw invalid("maxPacketSize must be >= 1024 bytes, got " + maxPacketSize);
        }
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw invalid("receiveMaximum must be in [1, 65535], got " + receiveMaximum);
        }
        if (startTimeout == null || startTimeout.isNegative() || startTimeout.isZero()
                || stopTimeout == null || stopTimeout.isNegative() || stopTimeout.isZero()) {
            throw invalid("start and stop timeouts must be positive");
        }
        if ((site == null) != insecure) {
            throw invalid(site == null ? "a provisioned site is required (nothing is anonymous by default); "
                    + "insecure(true) allows anonymous clients" : "a secured site cannot also be insecure");
        }
        if (tlsPort < NO_TLS || tlsPort > 65535) {
            throw invalid("tlsPort must be -1 (none), 0 (free) or a port, got " + tlsPort);
        }
        if (tlsPort != NO_TLS && site == null) {
            throw invalid("a TLS listener needs a provisioned site (its certificate)");
        }
    }

    /** Defaults for a provisioned site: only its identities, loopback, a free port at each start, no TLS. */
    public static EmbeddedBrokerOptions secured(Path site) {
        return builder().site(site).build();
    }

    /** Defaults with anonymous clients allowed (tests of the broker's own behaviour, {@code --insecure}). */
    public static EmbeddedBrokerOptions anonymous() {
        return builder().insecure(true).build();
    }

    /** A builder with every default filled in: loopback, a free port at each start; set a site or insecure. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).maxQueueSize(maxQueueSize).maxPacketSize(maxPacketSize)
                .receiveMaximum(receiveMaximum).startTimeout(startTimeout).stopTimeout(stopTimeout).site(site)
                .insecure(insecure).tlsPort(tlsPort).dataDir(dataDir);
    }

    /**
     * The HiveMQ {@code config.xml} for these options, listening on {@code port} (schema: config.xsd
     * in the HiveMQ CE jar). Every value that loses messages by default is set explicitly.
     */
    String configXml(int port, int boundTlsPort, String keystore, String keystorePassword) {
        String tls = boundTlsPort < 0 ? "" : """
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <name>tandem-tls</name>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                                <client-authentication-mode>NONE</client-authentication-mode>
                            </tls>
                        </tls-tcp-listener>
                """.formatted(boundTlsPort, host, keystore, keystorePassword, keystorePassword);
        return """
                <?xml version="1.0"?>
                <hivemq xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="config.xsd">
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <name>tandem</name>
                        </tcp-listener>
                %s    </listeners>
                    <mqtt>
                        <queued-messages>
                            <!-- default 1000 with 'discard': QoS 1 messages dropped silently while publishers get PUBACK -->
                            <max-queue-size>%d</max-queue-size>
                            <!-- if a queue ever fills, keep the newest readings (a live detector wants those) -->
                            <strategy>discard-oldest</strategy>
                        </queued-messages>
                        <receive-maximum>
                            <!-- default 10: MQTT 5 clients (Paho) fail past 10 unacknowledged publishes -->
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                        <shared-subscriptions>
                            <enabled>true</enabled>
                        </shared-subscriptions>
                        <retained-messages>
                            <enabled>true</enabled>
                        </retained-messages>
                    </mqtt>
                    <persistence>
                        <!-- file persistence (a data directory given) costs several times the CPU per message -->
                        <mode>%s</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, host, tls, maxQueueSize, receiveMaximum, maxPacketSize,
                        dataDir == null ? "in-memory" : "file");
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "EmbeddedBroker: " + message);
    }

    /** Mutable builder of {@link EmbeddedBrokerOptions}; {@link #build()} validates. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port;
        private long maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
        private int maxPacketSize = DEFAULT_MAX_PACKET_SIZE;
        private int receiveMaximum = DEFAULT_RECEIVE_MAXIMUM;
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Duration stopTimeout = DEFAULT_STOP_TIMEOUT;
        private Path site;
        private boolean insecure;
        private int tlsPort = NO_TLS;
        private Path dataDir;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0: a free port at each start. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder maxQueueSize(long messages) {
            this.maxQueueSize = messages;
            return this;
        }

        public Builder maxPacketSize(int bytes) {
            this.maxPacketSize = bytes;
            return this;
        }

        public Builder receiveMaximum(int publishes) {
            this.receiveMaximum = publishes;
            return this;
        }

        public Builder startTimeout(Duration d) {
            this.startTimeout = d;
            return this;
        }

        public Builder stopTimeout(Duration d) {
            this.stopTimeout = d;
            return this;
        }

        /** A provisioned site directory: its identities only. */
        public Builder site(Path dir) {
            this.site = dir;
            return this;
        }

        /** Anonymous clients may do anything. */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /** -1: no TLS listener; 0: a free port at each start. */
        public Builder tlsPort(int port) {
            this.tlsPort = port;
            return this;
        }

        /** File persistence in this directory, kept across restarts (null: in memory). */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        public EmbeddedBrokerOptions build() {
            return new EmbeddedBrokerOptions(host, port, maxQueueSize, maxPacketSize, receiveMaximum, startTimeout,
                    stopTimeout, site, insecure, tlsPort, dataDir);
        }
    }
}
