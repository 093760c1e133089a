package dev.tandem.edge;

import dev.tandem.edge.alarm.AlarmSettings;
import dev.tandem.edge.uplink.OutboxSettings;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.signing.TrustedKey;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What one edge agent needs to know: where the broker is, which site and devices it serves, and
 * its tuning. Validated in the constructor; every violation is {@link ErrorCode#INVALID_CONFIG}.
 *
 * <p>Build one with {@link #builder(BrokerAddress, String, List)}; the defaults suit a Raspberry
 * Pi-class device sampling a few tens of readings per second.
 *
 * @param broker               the MQTT broker
 * @param site                 the site id (topic segment)
 * @param devices              the devices this agent serves (one or more, distinct)
 * @param clientId             the MQTT client id of the agent's main connection (unique per broker)
 * @param commissioningSamples how many first samples a device without a model sends to the hub (default 400)
 * @param verdictTimeout       how long an escalated window waits for the hub's verdict (default 2 s)
 * @param outboxCapacity       QoS 1 messages held while they cannot be sent; the oldest are dropped past it (default 10000)
 * @param statusInterval       how often each device's retained status is refreshed (default 5 s)
 * @param reconnectMin         first delay before reconnecting to an unreachable broker (default 250 ms)
 * @param reconnectMax         the delay doubles up to this (default 5 s)
 * @param inflightWindow       QoS 1 publishes awaiting PUBACK at once (vertx-mqtt's maxInflightQueue; default 128)
 * @param maxReadingBytes      largest accepted reading payload (default 256 KiB; larger: OVERSIZED_PAYLOAD)
 * @param persistentSession    MQTT clean session off (default): the broker keeps the agent's subscriptions and
 *                             queues its QoS 1 readings and verdicts while the connection is down, so a short
 *                             outage loses none; the client id must then be stable and unique
 * @param verdictCover         uncertain windows right after a verdict that take it instead of a new escalation
 *                             (-1, the default: the windows overlapping the judged one, the model's windowSize - 1;
 *                             0: every uncertain window escalates)
 * @param login                the agent's credentials and the site CA for {@code mqtts://} ({@link BrokerLogin#none()}:
 *                             anonymous, only for a broker started insecure); with credentials the client id is the
 *                             username, and the site must be the credentials' site
 * @param hubKey               the hub's public key, pinned: the agent runs only models whose manifest it signed (required)
 * @param deviceClass          what hardware the agent runs on (named at commissioning; the hub signs models per class)
 * @param stateDir             where the agent keeps the manifest generation each device has accepted, so that an older
 *                             assignment cannot come back after a restart, and its durable outbox (under
 *                             {@code outbox/}); null: both kept in memory only, with a warning
 * @param outbox               the outbox's byte budgets and fsync policies per message class (default
 *                             {@link OutboxSettings#defaults()})
 * @param modelWait            how long a device that accepted a model before (its generation is on disk) holds its
 *                             readings for that model's assignment before it commissions afresh (default 30 s)
 * @param alarms               how alarm episodes are held and ended (hysteresis, update interval; null: the defaults)
 * @param delivery             how artifacts are fetched in chunks: chunk size, size limit, retries (null: the defaults)
 */
public record EdgeConfig(BrokerAddress broker, String site, List<String> devices, String clientId,
                         int commissioningSamples, Duration verdictTimeout, int outboxCapacity,
                         Duration statusInterval, Duration reconnectMin, Duration reconnectMax,
                         int inflightWindow, int maxReadingBytes, boolean persistentSession, int verdictCover,
                         BrokerLogin login, TrustedKey hubKey, String deviceClass, Path stateDir,
                         OutboxSettings outbox, Duration modelWait, AlarmSettings alarms,
                         dev.tandem.edge.delivery.DeliverySettings delivery) {

    public static final int DEFAULT_COMMISSIONING_SAMPLES = 400;
    public static final Duration DEFAULT_MODEL_WAIT = Duration.ofSeconds(30);
    /** Readings a device holds while it waits for its model (the oldest go past it, counted). */
    public static final int MAX_HELD_READINGS = 10_000;
    public static final Duration DEFAULT_VERDICT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_OUTBOX_CAPACITY = 10_000;
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RECONNECT_MIN = Duration.ofMillis(250);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(5);
    public static final int DEFAULT_INFLIGHT_WINDOW = 128;
    public static final int DEFAULT_MAX_READING_BYTES = 256 * 1024;
    public static final boolean DEFAULT_PERSISTENT_SESSION = true;
    /** The model's default: the windows overlapping the judged one. */
    public static final int DEFAULT_VERDICT_COVER = -1;
    /** A commissioning message must fit in one payload ({@link Wire#MAX_PAYLOAD_BYTES}). */
    public static final int MAX_COMMISSIONING_SAMPLES = 5_000;

    public EdgeConfig {
        if (broker == null) {
            throw invalid("broker is required");
        }
        site = id("site", site);
        if (devices == null || devices.isEmpty()) {
            throw invalid("at least one device is required");
        }
        devices = List.copyOf(devices);
        if (new HashSet<>(devices).size() != devices.size()) {
            throw invalid("devices must be distinct, got " + devices);
        }
        devices.forEach(d -> id("device", d));
        if (login == null) {
            throw invalid("login is required (BrokerLogin.none() for an anonymous client)");
        }
        login.checkFor(broker);
        if (login.credentials() != null) {
            if (!login.credentials().site().equals(site)) {
                throw invalid("the credentials are of site " + login.credentials().site() + ", the agent serves " + site);
            }
            clientId = login.credentials().username();
        } else if (clientId == null || clientId.isBlank() || clientId.length() > 128 || clientId.contains("/")
                || clientId.contains("+") || clientId.contains("#")) {
            throw invalid("clientId must be 1..128 characters without / + #, got '" + clientId + "'");
        }
        if (hubKey == null) {
            throw invalid("the hub's public key is required (--hub-key FILE, hub.pub from ./tandem provision): "
                    + "a device runs only models signed by its hub");
        }
        deviceClass = id("deviceClass", deviceClass == null ? Commissioning.DEFAULT_CLASS : deviceClass);
        if (commissioningSamples < 1 || commissioningSamples > MAX_COMMISSIONING_SAMPLES) {
            throw invalid("commissioningSamples must be 1.." + MAX_COMMISSIONING_SAMPLES + ", got " + commissioningSamples);
        }
        positive("verdictTimeout", verdictTimeout);
        if (outboxCapacity < 1) {
            throw invalid("outboxCapacity must be >= 1, got " + outboxCapacity);
        }
        positive("statusInterval", statusInterval);
        positive("reconnectMin", reconnectMin);
        positive("reconnectMax", reconnectMax);
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw invalid("reconnectMax (" + reconnectMax + ") must be >= reconnectMin (" + reconnectMin + ")");
        }
        if (inflightWindow < 1 || inflightWindow > 65_000) {
            throw invalid("inflightWindow must be 1..65000, got " + inflightWindow);
        }
        if (maxReadingBytes < 64 || maxReadingBytes > Wire.MAX_PAYLOAD_BYTES) {
            throw invalid("maxReadingBytes must be 64.." + Wire.MAX_PAYLOAD_BYTES + ", got " + maxReadingBytes);
        }
        outbox = outbox == null ? OutboxSettings.defaults() : outbox;
        positive("modelWait", modelWait);
        if (verdictCover < -1 || verdictCover > 10_000) {
            throw invalid("verdictCover must be -1 (the model's default) or 0..10000, got " + verdictCover);
        }
        if (alarms == null) {
            alarms = AlarmSettings.defaults();
        }
        if (delivery == null) {
            delivery = dev.tandem.edge.delivery.DeliverySettings.defaults();
        }
    }

    /** A builder with every default filled in; the client id defaults to {@code edge-{site}-{firstDevice}}. */
    public static Builder builder(BrokerAddress broker, String site, List<String> devices) {
        return new Builder(broker, site, devices);
    }

    /** Shorthand for an anonymous agent of one device with every default, trusting {@code hubKey}. */
    public static EdgeConfig of(BrokerAddress broker, String site, String device, TrustedKey hubKey) {
        return builder(broker, site, List.of(device)).hubKey(hubKey).build();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(broker, site, devices).clientId(clientId).commissioningSamples(commissioningSamples)
                .verdictTimeout(verdictTimeout).outboxCapacity(outboxCapacity).statusInterval(statusInterval)
                .reconnectBackoff(reconnectMin, reconnectMax).inflightWindow(inflightWindow)
                .maxReadingBytes(maxReadingBytes).persistentSession(persistentSession).verdictCover(verdictCover)
                .login(login).hubKey(hubKey).deviceClass(deviceClass).stateDir(stateDir)
                .outbox(outbox).modelWait(modelWait).alarms(alarms).delivery(delivery);
    }

    private static String id(String what, String value) {
        try {
            return Checks.id(what, value);
        } catch (TandemException e) {
            throw invalid(e.getMessage());
        }
    }

    private static void positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw invalid(what + " must be a positive duration, got " + d);
        }
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }

    /** Mutable builder of an {@link EdgeConfig}; {@link #build()} validates. */
    public static final class Builder {
        private final BrokerAddress broker;
        private final String site;
        private final List<String> devices;
        private String clientId;
        private int commissioningSamples = DEFAULT_COMMISSIONING_SAMPLES;
        private Duration verdictTimeout = DEFAULT_VERDICT_TIMEOUT;
        private int outboxCapacity = DEFAULT_OUTBOX_CAPACITY;
        private Duration statusInterval = DEFAULT_STATUS_INTERVAL;
        private Duration reconnectMin = DEFAULT_RECONNECT_MIN;
        private Duration reconnectMax = DEFAULT_RECONNECT_MAX;
        private int inflightWindow = DEFAULT_INFLIGHT_WINDOW;
        private int maxReadingBytes = DEFAULT_MAX_READING_BYTES;
        private boolean persistentSession = DEFAULT_PERSISTENT_SESSION;
        private int verdictCover = DEFAULT_VERDICT_COVER;
        private AlarmSettings alarms;
        private BrokerLogin login = BrokerLogin.none();
        private TrustedKey hubKey;
        private String deviceClass = Commissioning.DEFAULT_CLASS;
        private Path stateDir;
        private OutboxSettings outbox = OutboxSettings.defaults();
        private Duration modelWait = DEFAULT_MODEL_WAIT;
        private dev.tandem.edge.delivery.DeliverySettings delivery;

        private Builder(BrokerAddress broker, String site, List<String> devices) {
            this.broker = broker;
            this.site = site;
            this.devices = devices;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder commissioningSamples(int n) {
            this.commissioningSamples = n;
            return this;
        }

        public Builder verdictTimeout(Duration d) {
            this.verdictTimeout = d;
            return this;
        }

        public Builder outboxCapacity(int n) {
            this.outboxCapacity = n;
            return this;
        }

        public Builder statusInterval(Duration d) {
            this.statusInterval = d;
            return this;
        }

        public Builder reconnectBackoff(Duration min, Duration max) {
            this.reconnectMin = min;
            this.reconnectMax = max;
            return this;
        }

        public Builder inflightWindow(int n) {
            this.inflightWindow = n;
            return this;
        }

        public Builder maxReadingBytes(int n) {
            this.maxReadingBytes = n;
            return this;
        }

        public Builder persistentSession(boolean persistent) {
            this.persistentSession = persistent;
            return this;
        }

        public Builder verdictCover(int windows) {
            this.verdictCover = windows;
            return this;
        }

        /** Credentials and the site CA (default: anonymous, plain TCP). */
        public Builder login(BrokerLogin login) {
            this.login = login;
            return this;
        }

        /** The hub's public key the agent pins (required). */
        public Builder hubKey(TrustedKey key) {
            this.hubKey = key;
            return this;
        }

        public Builder deviceClass(String deviceClass) {
            this.deviceClass = deviceClass;
            return this;
        }

        /** The outbox's budgets and fsync policies. */
        public Builder outbox(OutboxSettings settings) {
            this.outbox = settings;
            return this;
        }

        /** How long a device with an accepted model on disk holds its readings for that model. */
        public Builder modelWait(Duration d) {
            this.modelWait = d;
            return this;
        }

        /** Where accepted manifest generations and the outbox are kept (null: memory only). */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** How alarm episodes are held and ended (null: the defaults). */
        public Builder alarms(AlarmSettings settings) {
            this.alarms = settings;
            return this;
        }

        /** How artifacts are fetched in chunks (null: the defaults). */
        public Builder delivery(dev.tandem.edge.delivery.DeliverySettings settings) {
            this.delivery = settings;
            return this;
        }

        public EdgeConfig build() {
            String id = clientId;
            if (id == null && site != null && devices != null && !devices.isEmpty()) {
                id = "edge-" + site + "-" + Objects.toString(devices.get(0));
            }
            return new EdgeConfig(broker, site, devices, id, commissioningSamples, verdictTimeout, outboxCapacity,
                    statusInterval, reconnectMin, reconnectMax, inflightWindow, maxReadingBytes, persistentSession,
                    verdictCover, login, hubKey, deviceClass, stateDir, outbox, modelWait, alarms, delivery);
        }
    }
}
