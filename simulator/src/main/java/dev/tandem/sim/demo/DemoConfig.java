package dev.tandem.sim.demo;

import dev.tandem.edge.EdgeConfig;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.sim.factory.SimConfig;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code ./tandem demo} runs: {@code broker} null means the embedded broker;
 * {@code duration} zero means until Ctrl-C; {@code report} null means no JSON file. Security: on
 * the embedded broker the demo provisions a throwaway site (an identity per agent, the sensors and
 * the hub; ACLs on; plain TCP on loopback); an external broker needs {@code siteDir}, a site
 * provisioned for it ({@code ./tandem provision}), whose identities the demo logs in with.
 * {@code insecure}: anonymous clients everywhere (the embedded broker allows them; warned).
 * {@code httpPort}: the hub's REST API and metrics on 127.0.0.1 (0: a free port; -1: none).
 * {@code rollout}: once every machine runs its model, roll a re-fitted model out to the line in waves
 * ({@link DemoRollout}). Build one with {@link #builder()}.
 */
public record DemoConfig(int devices, Duration duration, BrokerAddress broker, long seed, Path report,
                         double ratePerDevice, int commissioningSamples, Duration statusInterval, String site,
                         Duration verdictTimeout, Path siteDir, boolean insecure, int httpPort, boolean rollout) {
    /** {@code httpPort}: no REST API. */
    public static final int NO_HTTP = -1;
    /** The simulator's ({@link dev.tandem.sim.publish.PublisherConfig#DEFAULT_RATE_PER_DEVICE}): one default for every command. */
    public static final double DEFAULT_RATE_PER_DEVICE = dev.tandem.sim.publish.PublisherConfig.DEFAULT_RATE_PER_DEVICE;
    /** The edge agent's ({@link dev.tandem.edge.EdgeConfig#DEFAULT_COMMISSIONING_SAMPLES}): one default for every command. */
    public static final int DEFAULT_COMMISSIONING_SAMPLES = dev.tandem.edge.EdgeConfig.DEFAULT_COMMISSIONING_SAMPLES;
    public static final String DEFAULT_SITE = "demo";
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(5);

    public DemoConfig {
        if (devices < 1 || devices > 500) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--devices must be 1..500, got " + devices);
        }
        if (duration == null || duration.isNegative()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--duration must be >= 0 seconds");
        }
        if (!(ratePerDevice > 0) || ratePerDevice > 10_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--rate must be in (0, 10000] samples/s per device, got " + ratePerDevice);
        }
        if (commissioningSamples < 50 || commissioningSamples > 5_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--commissioning must be 50..5000 samples, got " + commissioningSamples);
        }
        if (statusInterval == null || statusInterval.toMillis() < 100) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--status-every must be >= 0.1 s");
        }
        if (verdictTimeout == null || verdictTimeout.toMillis() < 10) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--verdict-timeout must be >= 10 ms");
        }
        try {
            Checks.id("site", site);
        } catch (TandemException e) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--site: " + e.getMessage());
        }
        if (httpPort < NO_HTTP || httpPort > 65535) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--http must be a port 0..65535, got " + httpPort);
        }
        if (siteDir != null && insecure) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--site-dir and --insecure exclude each other");
        }
        if (broker != null && siteDir == null && !insecure) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--broker needs --site-dir DIR (a site provisioned "
                    + "for that broker: ./tandem provision) or --insecure (anonymous clients)");
        }
    }

    /**
     * A builder with every default filled in: {@value SimConfig#DEFAULT_DEVICES} machines at
     * {@value #DEFAULT_RATE_PER_DEVICE} readings/s, seed {@value SimConfig#DEFAULT_SEED}, the embedded
     * broker, until Ctrl-C, no report.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder().devices(devices).duration(duration).broker(broker).seed(seed).report(report)
                .ratePerDevice(ratePerDevice).commissioningSamples(commissioningSamples).statusInterval(statusInterval)
                .site(site).verdictTimeout(verdictTimeout).siteDir(siteDir).insecure(insecure).httpPort(httpPort).rollout(rollout);
    }

    /** Mutable builder of a {@link DemoConfig}; {@link #build()} validates. */
    public static final class Builder {
        private int devices = SimConfig.DEFAULT_DEVICES;
        private Duration duration = Duration.ZERO;
        private BrokerAddress broker;
        private long seed = SimConfig.DEFAULT_SEED;
        private Path report;
        private double ratePerDevice = DEFAULT_RATE_PER_DEVICE;
        private int commissioningSamples = DEFAULT_COMMISSIONING_SAMPLES;
        private Duration statusInterval = DEFAULT_STATUS_INTERVAL;
        private String site = DEFAULT_SITE;
        private Duration verdictTimeout = EdgeConfig.DEFAULT_VERDICT_TIMEOUT;
        private Path siteDir;
        private boolean insecure;
        private int httpPort;
        private boolean rollout = true;

        private Builder() {
        }

        public Builder devices(int n) {
            this.devices = n;
            return this;
        }

        /** Zero: until Ctrl-C. */
        public Builder duration(Duration d) {
            this.duration = d;
            return this;
        }

        /** Null: the embedded broker. */
        public Builder broker(BrokerAddress broker) {
            this.broker = broker;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Null: no JSON report. */
        public Builder report(Path file) {
            this.report = file;
            return this;
        }

        public Builder ratePerDevice(double readingsPerSecond) {
            this.ratePerDevice = readingsPerSecond;
            return this;
        }

        public Builder commissioningSamples(int n) {
            this.commissioningSamples = n;
            return this;
        }

        public Builder statusInterval(Duration d) {
            this.statusInterval = d;
            return this;
        }

        public Builder site(String site) {
            this.site = site;
            return this;
        }

        public Builder verdictTimeout(Duration d) {
            this.verdictTimeout = d;
            return this;
        }

        /** A site provisioned for an external broker (null: the embedded broker's throwaway site). */
        public Builder siteDir(Path dir) {
            this.siteDir = dir;
            return this;
        }

        /** Anonymous clients everywhere. */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /** The REST API's port on 127.0.0.1 (default 0: a free one; {@link #NO_HTTP}: none). */
        public Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        /** Roll a re-fitted model out once every machine runs its model (default: yes). */
        public Builder rollout(boolean rollout) {
            this.rollout = rollout;
            return this;
        }

        public DemoConfig build() {
            return new DemoConfig(devices, duration, broker, seed, report, ratePerDevice, commissioningSamples,
                    statusInterval, site, verdictTimeout, siteDir, insecure, httpPort, rollout);
        }
    }
}
