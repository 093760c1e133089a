package dev.tandem.sim.fleet;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;
import dev.tandem.sim.scenario.Scenario;

import java.time.Duration;

/**
 * What a {@link LocalFleet} starts. {@code scenario} null: {@code devices} healthy pumps
 * ({@code machine-01}...) on {@code site}, faults only where injected; else the scenario's fleet and
 * timeline (one site; network events need {@code sim run}, refused here). Readings go out at
 * {@code rate} per device per second of wall time (the timeline's seconds are samples at 1 Hz, so a
 * scenario runs {@code rate} times faster than written). {@code hubKeepsState}: the hub keeps its store in
 * a directory of the fleet's and a persistent MQTT session, so that {@link LocalFleet#restartHub} finds its
 * models and what the broker queued (off by default: an in-memory store starts faster). Build with
 * {@link #builder()}.
 */
public record LocalFleetOptions(int devices, Scenario scenario, BrokerKind broker, boolean secured, boolean hub,
                           boolean edge, double rate, int commissioning, long seed, String site,
                           Duration startupTimeout, Duration verdictTimeout, boolean hubKeepsState,
                           int chunkBytes, int largeSteps, String deviceClass) {
    /** Where the fleet's broker runs. */
    public enum BrokerKind {
        /** HiveMQ CE embedded in this JVM. */
        EMBEDDED,
        /** A mosquitto process of its own ({@code mosquitto} must be installed). */
        MOSQUITTO
    }

    /** Most devices (each its own production edge agent and MQTT session: see {@code sim scenario rollout}). */
    public static final int MAX_DEVICES = 1000;
    public static final double DEFAULT_RATE = 50;
    public static final int DEFAULT_COMMISSIONING = 400;
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

    public LocalFleetOptions {
        if (scenario == null && (devices < 1 || devices > MAX_DEVICES)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "devices must be 1.." + MAX_DEVICES + ", got " + devices);
        }
        if (scenario != null && scenario.devices().size() > MAX_DEVICES) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "scenario " + scenario.name() + " has "
                    + scenario.devices().size() + " devices; a local fleet runs at most " + MAX_DEVICES);
        }
        if (!(rate > 0) || rate > 1000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "rate must be in (0, 1000] readings/s per device, got " + rate);
        }
        if (commissioning < 50 || commissioning > 5000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "commissioning must be 50..5000 readings, got " + commissioning);
        }
        if (edge && !hub) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "edge agents need the hub (it fits their models)");
        }
        if (startupTimeout == null || startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "startupTimeout must be > 0");
        }
        verdictTimeout = verdictTimeout == null ? Duration.ofSeconds(3) : verdictTimeout;
        if (largeSteps < 0 || largeSteps > 100_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "largeSteps must be 0 (the hub's default) or 1..100000, got "
                    + largeSteps);
        }
        Checks.id("site", site);
        deviceClass = deviceClass == null ? dev.tandem.shared.wire.Commissioning.DEFAULT_CLASS : deviceClass;
        Checks.id("deviceClass", deviceClass);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; {@link #build()} checks. */
    public static final class Builder {
        private int devices = 3;
        private Scenario scenario;
        private BrokerKind broker = BrokerKind.EMBEDDED;
        private boolean secured = true;
        private boolean hub = true;
        private boolean edge = true;
        private double rate = DEFAULT_RATE;
        private int commissioning = DEFAULT_COMMISSIONING;
        private long seed = 42;
        private String site = "plant";
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private Duration verdictTimeout = Duration.ofSeconds(3);
        private boolean hubKeepsState;
        private int chunkBytes = dev.tandem.edge.delivery.DeliverySettings.DEFAULT_CHUNK_BYTES;
        private int largeSteps;
        private String deviceClass;

        public Builder devices(int n) {
            this.devices = n;
            return this;
        }

        /** The scenario's fleet and timeline; its site becomes the fleet's. */
        public Builder scenario(Scenario s) {
            this.scenario = s;
            return this;
        }

        public Builder broker(BrokerKind kind) {
            this.broker = kind;
            return this;
        }

        public Builder secured(boolean on) {
            this.secured = on;
            return this;
        }

        public Builder hub(boolean on) {
            this.hub = on;
            return this;
        }

        public Builder edge(boolean on) {
            this.edge = on;
            return this;
        }

        public Builder rate(double readingsPerSecond) {
            this.rate = readingsPerSecond;
            return this;
        }

        public Builder commissioning(int readings) {
            this.commissioning = readings;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder site(String site) {
            this.site = site;
            return this;
        }

        public Builder startupTimeout(Duration d) {
            this.startupTimeout = d;
            return this;
        }

        public Builder verdictTimeout(Duration d) {
            this.verdictTimeout = d;
            return this;
        }

        /** The hub's store in a directory and a persistent session, so that it can be restarted. */
        public Builder hubKeepsState(boolean on) {
            this.hubKeepsState = on;
            return this;
        }

        /** Bytes each agent asks for per request when it fetches a model's artifact. */
        public Builder chunkBytes(int bytes) {
            this.chunkBytes = bytes;
            return this;
        }

        /** Training steps of each device's large model when the hub fits it (0: the hub's default); a cheaper commissioning. */
        public Builder largeSteps(int steps) {
            this.largeSteps = steps;
            return this;
        }

        /** The class every edge agent names at commissioning (the hub ships that class's variant). */
        public Builder deviceClass(String deviceClass) {
            this.deviceClass = deviceClass;
            return this;
        }

        public LocalFleetOptions build() {
            String s = site;
            if (scenario != null) {
                if (scenario.sites().size() != 1) {
                    throw new TandemException(ErrorCode.INVALID_CONFIG, "a local fleet runs one site; scenario "
                            + scenario.name() + " has " + scenario.sites());
                }
                s = scenario.sites().get(0);
            }
            return new LocalFleetOptions(devices, scenario, broker, secured, hub, edge, rate, commissioning, seed, s,
                    startupTimeout, verdictTimeout, hubKeepsState, chunkBytes, largeSteps,
                    deviceClass);
        }
    }
}
