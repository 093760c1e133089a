package dev.tandem.hub;

import dev.tandem.hub.rebaseline.RebaselineSettings;
import dev.tandem.hub.notify.NotifySettings;
import dev.tandem.shared.topic.Topics;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.hub.store.StoreSettings;
import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.shared.config.BrokerAddress;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.shared.signing.KeyRotation;
import dev.tandem.shared.signing.ManifestVerifier;
import dev.tandem.shared.signing.Signed;
import java.util.List;
import dev.tandem.shared.wire.Checks;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Settings of one hub instance. Invalid values are refused with {@link ErrorCode#INVALID_CONFIG}.
 *
 * @param broker             where the MQTT broker listens
 * @param instanceId         unique per running instance (the MQTT client id is {@code tandem-hub-<instanceId>})
 * @param batchMax           most escalations scored together (1..4096; default 64)
 * @param batchLinger        how long the verdict worker waits for more escalations once it has one (0..1 s; default 2 ms)
 * @param tinyFit            how the devices' tiny models are fitted
 * @param large              how the devices' large models are trained
 * @param store              where the hub keeps its state (devices, commissioning sets, models, escalations and
 *                           verdicts, labels): {@link StoreSettings#h2File} under a data directory, a shared PostgreSQL
 *                           ({@link StoreSettings#of}), or (the builder's default) {@link StoreSettings#inMemory()}, which
 *                           keeps nothing past the hub
 * @param sharedSubscription consume escalations through {@code $share/hub/...} so that instances split them
 *                           (default true); false: the plain topic (one hub, or a broker whose shared subscriptions are slow)
 * @param fitThreads         model fits running at once (1..16; default: one core left free for verdicts, at most 2)
 * @param connectTimeout     how long {@link CloudHub#start} waits for the broker before going on retrying in the background
 * @param login              the instance's credentials and the site CA for {@code mqtts://} ({@link BrokerLogin#none()}:
 *                           anonymous); with credentials the client id is the username and the hub serves the
 *                           credentials' site only
 * @param signingKey         the key every model manifest is signed with, shared by the site's hub instances (from
 *                           {@code ./tandem provision}); the builder makes an ephemeral one when none is given (devices
 *                           must then pin {@link #signingKey()}'s public key, and a restarted hub is another key)
 * @param site               the site this hub serves (topic filters name it); null: every site (anonymous brokers only)
 * @param keyHistory         the site's signed key rotations, oldest first, ending at {@code signingKey} (empty: the key
 *                           was never rotated); published retained to every device before its model
 * @param rebaseline         when a device whose alarm holds is re-fitted on its new normal (null: the defaults)
 * @param notifications      where alarm onsets and clears are notified (a webhook, an MQTT topic; null: nowhere)
 * @param sessionExpiry      how long the broker keeps this instance's MQTT session (its subscriptions and the QoS 1
 *                           messages for it: commissioning sets, model states, escalations) while it is away, so that a
 *                           hub restarted within it misses nothing (0: a clean session each connect; at most 1 day;
 *                           null: {@link #DEFAULT_SESSION_EXPIRY} with credentials, whose username is a client id that
 *                           comes back, else 0, since a random instance id would leave an orphan session behind)
 * @param variants           which variant of its tiny model each device class runs (null: the defaults, int8 for
 *                           {@code pi-zero})
 * @param retrainTriggers    when the hub retrains a device by itself (drift, new labels; null: the defaults)
 */
public record HubConfig(BrokerAddress broker, String instanceId, int batchMax, Duration batchLinger,
                        TinyFitConfig tinyFit, LargeModelConfig large, StoreSettings store, boolean sharedSubscription,
                        int fitThreads, Duration connectTimeout, BrokerLogin login, HubKey signingKey, String site,
                        List<Signed> keyHistory, RebaselineSettings rebaseline,
                        NotifySettings notifications, Duration sessionExpiry,
                        dev.tandem.hub.fit.ClassVariants variants,
                        dev.tandem.hub.retrain.RetrainTriggers.Settings retrainTriggers) {
    public static final int DEFAULT_BATCH_MAX = 64;
    public static final Duration DEFAULT_BATCH_LINGER = Duration.ofMillis(2);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofMinutes(2);
    public static final Duration MAX_SESSION_EXPIRY = Duration.ofDays(1);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,48}");

    public HubConfig {
        if (broker == null) {
            throw invalid("broker is required");
        }
        if (instanceId == null || !ID.matcher(instanceId).matches()) {
            throw invalid("instanceId must match [A-Za-z0-9_.-]{1,48}, got '" + instanceId + "'");
        }
        if (batchMax < 1 || batchMax > 4096) {
            throw invalid("batchMax must be 1..4096, got " + batchMax);
        }
        if (batchLinger == null || batchLinger.isNegative() || batchLinger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw invalid("batchLinger must be 0..1s, got " + batchLinger);
        }
        if (tinyFit == null) {
            throw invalid("tinyFit config is required");
        }
        if (large == null) {
            throw invalid("large model config is required");
        }
        if (store == null) {
            throw invalid("store settings are required (StoreSettings.inMemory() for a hub that keeps nothing)");
        }
        if (fitThreads < 1 || fitThreads > 16) {
            throw invalid("fitThreads must be 1..16, got " + fitThreads);
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                || connectTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw invalid("connectTimeout must be > 0 and <= 5 min, got " + connectTimeout);
        }
        if (login == null) {
            throw invalid("login is required (BrokerLogin.none() for an anonymous client)");
        }
        login.checkFor(broker);
        if (signingKey == null) {
            throw invalid("a signing key is required");
        }
        keyHistory = keyHistory == null ? List.of() : List.copyOf(keyHistory);
        if (rebaseline == null) {
            rebaseline = RebaselineSettings.defaults();
        }
        if (variants == null) {
            variants = dev.tandem.hub.fit.ClassVariants.defaults();
        }
        if (retrainTriggers == null) {
            retrainTriggers = dev.tandem.hub.retrain.RetrainTriggers.Settings.defaults();
        }
        if (notifications == null) {
            notifications = NotifySettings.none();
        }
        if (sessionExpiry == null) {
            // a session is worth keeping only under a client id that comes back: the credentials' username
            sessionExpiry = login.credentials() != null ? DEFAULT_SESSION_EXPIRY : Duration.ZERO;
        }
        if (sessionExpiry.isNegative() || sessionExpiry.compareTo(MAX_SESSION_EXPIRY) > 0) {
            throw invalid("sessionExpiry must be 0..1 day, got " + sessionExpiry);
        }
        if (!keyHistory.isEmpty()) {
            ManifestVerifier last = new ManifestVerifier(signingKey.publicKey());
            String endsAt = lastKeyId(keyHistory);
            if (!endsAt.equals(last.trusted().keyId())) {
                throw invalid("the key history ends at key " + endsAt + ", the signing key is " + signingKey.keyId());
            }
        }
        if (login.credentials() != null) {
            String credentialSite = login.credentials().site();
            if (site != null && !site.equals(credentialSite)) {
                throw invalid("the credentials are of site " + credentialSite + ", not " + site);
            }
            site = credentialSite;
        }
        if (site != null) {
            try {
                Checks.id("site", site);
            } catch (TandemException e) {
                throw invalid(e.getMessage());
            }
        }
        if (notifications.topic() != null && login.credentials() != null
                && !notifications.topic().equals(Topics.notifications(site))) {
            throw invalid("with credentials the broker lets the hub publish notifications only on "
                    + Topics.notifications(site) + ", not " + notifications.topic());
        }
    }

    /** The key the last rotation of a history announces. */
    private static String lastKeyId(List<Signed> history) {
        byte[] payload = java.util.Base64.getDecoder().decode(history.get(history.size() - 1).payload());
        return dev.tandem.shared.wire.Wire.decode(payload, KeyRotation.class).key().keyId();
    }

    /** The MQTT client id: the username when logged in, else {@code tandem-hub-<instanceId>}. */
    public String clientId() {
        return login.clientId("tandem-hub-" + instanceId);
    }

    /** Every default, a random instance id, an in-memory store. */
    public static HubConfig defaults(BrokerAddress broker) {
        return builder(broker).build();
    }

    /** A builder with every default filled in (a random instance id, an in-memory store). */
    public static Builder builder(BrokerAddress broker) {
        return new Builder(broker);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(broker).instanceId(instanceId).batching(batchMax, batchLinger).tinyFit(tinyFit).large(large)
                .store(store).sharedSubscription(sharedSubscription).fitThreads(fitThreads)
                .connectTimeout(connectTimeout).login(login).signingKey(signingKey).site(site).keyHistory(keyHistory)
                .rebaseline(rebaseline).notifications(notifications).sessionExpiry(sessionExpiry).variants(variants)
                .retrainTriggers(retrainTriggers);
    }

    /** How this hub fits its devices' models. */
    public FitSettings fitSettings() {
        return new FitSettings(tinyFit, large, variants);
    }

    /** At most 2, and one core left for the verdict worker. */
    public static int defaultFitThreads() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() - 1));
    }

    public static String randomInstanceId() {
        byte[] b = new byte[4];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Mutable builder of a {@link HubConfig}; {@link #build()} validates. */
    public static final class Builder {
        private final BrokerAddress broker;
        private String instanceId = randomInstanceId();
        private int batchMax = DEFAULT_BATCH_MAX;
        private Duration batchLinger = DEFAULT_BATCH_LINGER;
        private TinyFitConfig tinyFit = TinyFitConfig.defaults();
        private dev.tandem.hub.fit.ClassVariants variants = dev.tandem.hub.fit.ClassVariants.defaults();
        private dev.tandem.hub.retrain.RetrainTriggers.Settings retrainTriggers;
        private LargeModelConfig large = LargeModelConfig.defaults();
        private StoreSettings store;
        private boolean sharedSubscription = true;
        private int fitThreads = defaultFitThreads();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration sessionExpiry;
        private BrokerLogin login = BrokerLogin.none();
        private HubKey signingKey;
        private String site;
        private List<Signed> keyHistory = List.of();
        private RebaselineSettings rebaseline;
        private NotifySettings notifications;

        private Builder(BrokerAddress broker) {
            this.broker = broker;
        }

        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        /** Most escalations scored together and how long to wait for more once one is queued. */
        public Builder batching(int batchMax, Duration batchLinger) {
            this.batchMax = batchMax;
            this.batchLinger = batchLinger;
            return this;
        }

        public Builder tinyFit(TinyFitConfig tinyFit) {
            this.tinyFit = tinyFit;
            return this;
        }

        public Builder large(LargeModelConfig large) {
            this.large = large;
            return this;
        }

        /** Both model configs at once. */
        public Builder fit(FitSettings settings) {
            this.tinyFit = settings.tiny();
            this.large = settings.large();
            this.variants = settings.variants();
            return this;
        }

        /** When the hub retrains a device by itself. */
        public Builder retrainTriggers(dev.tandem.hub.retrain.RetrainTriggers.Settings settings) {
            this.retrainTriggers = settings;
            return this;
        }

        /** Which variant of its tiny model each device class runs. */
        public Builder variants(dev.tandem.hub.fit.ClassVariants variants) {
            this.variants = variants;
            return this;
        }

        /** Where the hub keeps its state (default: a private in-memory store that keeps nothing). */
        public Builder store(StoreSettings store) {
            this.store = store;
            return this;
        }

        /** The embedded store under a data directory ({@link StoreSettings#h2File}); null: in memory, nothing kept. */
        public Builder dataDir(Path dataDir) {
            this.store = dataDir == null ? null : StoreSettings.h2File(dataDir);
            return this;
        }

        public Builder sharedSubscription(boolean sharedSubscription) {
            this.sharedSubscription = sharedSubscription;
            return this;
        }

        public Builder fitThreads(int fitThreads) {
            this.fitThreads = fitThreads;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Credentials and the site CA (default: anonymous, plain TCP). */
        public Builder login(BrokerLogin login) {
            this.login = login;
            return this;
        }

        /** The site's signing key (default: an ephemeral key made at build). */
        public Builder signingKey(HubKey key) {
            this.signingKey = key;
            return this;
        }

        /** The site this hub serves (default: the credentials' site, or every site when anonymous). */
        public Builder site(String site) {
            this.site = site;
            return this;
        }

        /** The site's signed key rotations, oldest first, ending at the signing key. */
        public Builder keyHistory(List<Signed> history) {
            this.keyHistory = history;
            return this;
        }

        /** When devices whose alarm holds are re-baselined (null: the defaults). */
        public Builder rebaseline(RebaselineSettings settings) {
            this.rebaseline = settings;
            return this;
        }

        /** Where alarm onsets and clears are notified (default: nowhere). */
        public Builder notifications(NotifySettings settings) {
            this.notifications = settings;
            return this;
        }

        /** How long the broker keeps the instance's session while it is away (0: clean sessions). */
        public Builder sessionExpiry(Duration sessionExpiry) {
            this.sessionExpiry = sessionExpiry;
            return this;
        }

        public HubConfig build() {
            HubKey key = signingKey != null ? signingKey : HubKey.generate();
            return new HubConfig(broker, instanceId, batchMax, batchLinger, tinyFit, large,
                    store != null ? store : StoreSettings.inMemory(), sharedSubscription,
                    fitThreads, connectTimeout, login, key, site, keyHistory, rebaseline, notifications, sessionExpiry,
                    variants, retrainTriggers);
        }
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, "hub config: " + message);
    }
}
