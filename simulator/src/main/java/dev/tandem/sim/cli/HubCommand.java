package dev.tandem.sim.cli;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.HubConfig;
import dev.tandem.hub.notify.NotifySettings;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.identity.BrokerLogin;
import dev.tandem.shared.signing.HubKey;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.api.ApiConfig;
import dev.tandem.hub.api.HubApi;
import dev.tandem.sim.provision.SiteOperators;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "hub", mixinStandardHelpOptions = true,
        subcommands = {HubBackupCommand.class, HubRestoreCommand.class, HubLabelCommand.class, HubRolloutCommand.class,
                HubModelsCommand.class, HubRetrainCommand.class},
        description = {
                "Runs one cloud-hub instance against a broker.",
                "It fits each device's tiny and large models on its commissioning readings, publishes the tiny model (retained), and answers escalations with the large model (TensorFlow), batched. Several instances share the escalations ($share/hub/...).",
                "Its state (commissioning sets, models, escalations and verdicts) lives in its store: the embedded database under --data-dir, or a PostgreSQL that several instances share (--db); a restarted hub loads its devices' models instead of fitting them."})
final class HubCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    RunOptions run;

    @picocli.CommandLine.Mixin
    FitOptions fit;

    @picocli.CommandLine.Mixin
    LoginOptions login;

    @Option(names = "--signing-key", paramLabel = "FILE",
            description = "The site's model signing key (hub.key from ./tandem provision; every hub instance of the site "
                    + "uses the same). Required unless --insecure, which makes an ephemeral one.")
    Path signingKey;

    @Option(names = "--key-history", paramLabel = "FILE",
            description = "The signing key's rotations (key-history.json from ./tandem provision --rotate-key), published "
                    + "to every device so that agents pinned to an earlier key follow to this one.")
    Path keyHistory;

    @Option(names = "--instance-id", description = "Unique id of this instance (default: random).")
    String instanceId;

    @picocli.CommandLine.Mixin
    StoreOptions store;

    @Option(names = "--no-shared-subscription", description = "Subscribe to escalations and artifact fetches directly instead of through $share/hub (one instance only).")
    boolean noShared;

    @Option(names = "--batch-max", paramLabel = "N", defaultValue = "" + HubConfig.DEFAULT_BATCH_MAX,
            description = "Most escalations scored together (default: ${DEFAULT-VALUE}).")
    int batchMax;

    @Option(names = "--http", paramLabel = "PORT",
            description = "Serve the REST API (/api/v1) and Prometheus /metrics on this port (0: a free one); every API "
                    + "call needs an operator's token (Authorization: Bearer TOKEN, operators/NAME.token from ./tandem provision).")
    Integer httpPort;

    @Option(names = "--http-host", paramLabel = "ADDRESS", defaultValue = ApiConfig.DEFAULT_HOST,
            description = "The address the REST API binds (default: ${DEFAULT-VALUE}, this machine only).")
    String httpHost;

    @Option(names = "--operators", paramLabel = "FILE",
            description = "The site registry whose operators the REST API accepts (site.json from ./tandem provision; "
                    + "default: the one beside --credentials' directory). Followed while the hub runs.")
    Path operators;

    @Option(names = "--batch-linger-ms", paramLabel = "MS", description = "Wait for more escalations once one is queued (default: ${DEFAULT-VALUE}).")
    long lingerMs = HubConfig.DEFAULT_BATCH_LINGER.toMillis();

    @Option(names = "--session-expiry", paramLabel = "SECONDS",
            description = "How long the broker keeps this instance's MQTT session while it is away, so that a hub "
                    + "restarted within it gets what devices sent meanwhile; 0: a clean session (default: "
                    + "120 with --credentials or --instance, whose client id comes back; else 0).")
    Long sessionExpirySeconds;

    @picocli.CommandLine.Mixin
    RebaselineOptions rebaseline = new RebaselineOptions();

    @Option(names = "--notify-webhook", paramLabel = "URL",
            description = "POST a JSON notification to this http(s) URL when an alarm episode starts (ONSET) or ends "
                    + "(CLEAR, REBASELINED); retried with backoff, failures counted in /metrics and the status.")
    java.net.URI notifyWebhook;

    @Option(names = "--notify-topic", paramLabel = "TOPIC",
            description = "Publish the same notifications on this MQTT topic (QoS 1, not retained); a broker with ACLs "
                    + "allows a hub only tandem/v1/SITE/notifications.")
    String notifyTopic;

    @Option(names = "--retrain-drift-factor", paramLabel = "X",
            description = "Retrain a device by itself (through the gate) when its escalation rate stays above X times "
                    + "its budget over 3 spans of 100 windows; 0: no drift trigger (default: ${DEFAULT-VALUE}).")
    double retrainDriftFactor = dev.tandem.hub.retrain.RetrainTriggers.Settings.DEFAULT_DRIFT_FACTOR;

    @Option(names = "--retrain-after-labels", paramLabel = "N",
            description = "Retrain a device by itself (through the gate) after N new operator labels of it; 0: no labels "
                    + "trigger (default: ${DEFAULT-VALUE}).")
    int retrainAfterLabels = dev.tandem.hub.retrain.RetrainTriggers.Settings.DEFAULT_LABELS;

    @Option(names = "--retrain-after-verdicts", paramLabel = "N",
            description = "Retrain a device by itself (through the gate) after N new verdicts of its large model; 0: no "
                    + "verdicts trigger (default: ${DEFAULT-VALUE}).")
    int retrainAfterVerdicts = dev.tandem.hub.retrain.RetrainTriggers.Settings.DEFAULT_VERDICTS;

    @Option(names = "--retrain-hold-off", paramLabel = "SECONDS",
            description = "At least this long between two automatic retrainings of a device (default: ${DEFAULT-VALUE}).")
    long retrainHoldOffSeconds = dev.tandem.hub.retrain.RetrainTriggers.Settings.DEFAULT_HOLD_OFF.toSeconds();

    @Option(names = "--notify-retries", paramLabel = "N",
            description = "Further attempts after a failed notification, 0..10 (default: ${DEFAULT-VALUE}).")
    int notifyRetries = NotifySettings.DEFAULT_RETRIES;

    @Option(names = "--notify-timeout-ms", paramLabel = "MS",
            description = "How long one notification attempt may take, in milliseconds, 100..60000 (default: ${DEFAULT-VALUE}).")
    long notifyTimeoutMs = NotifySettings.DEFAULT_TIMEOUT.toMillis();

    @Override
    public Integer call() throws Exception {
        BrokerLogin brokerLogin = login.login(run.broker);
        if (signingKey == null && !login.insecure) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--signing-key FILE is required (hub.key from "
                    + "./tandem provision): devices run only models signed by their site's key");
        }
        HubConfig config = HubConfig.builder(run.broker)
                .login(brokerLogin)
                .signingKey(signingKey == null ? null : HubKey.load(signingKey))
                .keyHistory(keyHistory == null ? java.util.List.of()
                        : dev.tandem.sim.provision.KeyHistory.load(keyHistory, "any").rotations())
                .instanceId(instanceId == null ? HubConfig.randomInstanceId() : instanceId)
                .batching(batchMax, Duration.ofMillis(lingerMs))
                .sessionExpiry(sessionExpirySeconds != null ? Duration.ofSeconds(sessionExpirySeconds)
                        : brokerLogin.credentials() != null || instanceId != null ? HubConfig.DEFAULT_SESSION_EXPIRY
                        : Duration.ZERO)
                .sharedSubscription(!noShared)
                .fit(fit.settings())
                .store(store.settings())
                .notifications(notifySettings())
                .rebaseline(rebaseline.settings())
                .retrainTriggers(new dev.tandem.hub.retrain.RetrainTriggers.Settings(retrainDriftFactor,
                        dev.tandem.hub.retrain.RetrainTriggers.Settings.DEFAULT_DRIFT_SPANS,
                        dev.tandem.hub.retrain.RetrainTriggers.Settings.DEFAULT_MIN_WINDOWS, retrainAfterLabels,
                        retrainAfterVerdicts, Duration.ofSeconds(retrainHoldOffSeconds)))
                .build();
        if (httpPort != null && (httpPort < 0 || httpPort > 65535)) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--http must be a port 0..65535, got " + httpPort);
        }
        SiteOperators siteOperators = httpPort == null ? null : siteOperators(config.site());
        CloudHub hub = CloudHub.start(config);
        HubApi api = null;
        try {
            System.out.printf("hub %s: %s to %s; store %s%n", config.instanceId(),
                    hub.isConnected() ? "connected" : "connecting", run.broker, config.store().displayUrl());
            if (siteOperators != null) {
                if (!isLoopback(httpHost)) {
                    System.err.println("WARNING: --http-host " + httpHost + ": the REST API is plain HTTP; operator tokens "
                            + "cross the network in the clear unless a TLS proxy stands in front of it");
                }
                api = HubApi.start(hub, new ApiConfig(httpHost, httpPort, siteOperators, ApiConfig.DEFAULT_MAX_BODY_BYTES));
                System.out.printf("api: %s/api/v1 (%d operators of %s; metrics at %s/metrics)%n", api.url(),
                        siteOperators.count(), operatorsFile(), api.url());
                System.out.printf("console: %s/ (sign in with an operator's token, operators/NAME.token)%n", api.url());
            }
            UntilStopped.run(System.out, run.statusInterval(), run.runFor(),
                    () -> status(hub), () -> false, () -> {
                        System.out.printf("hub %s: stopping (no new escalations, finishing the batch in hand)%n",
                                config.instanceId());
                        hub.close();
                        System.out.printf("hub %s: stopped, %s%n", config.instanceId(), status(hub));
                    });
        } finally {
            if (api != null) {
                api.close();
            }
            if (siteOperators != null) {
                siteOperators.close();
            }
            hub.close();
        }
        return 0;
    }

    private NotifySettings notifySettings() {
        return new NotifySettings(notifyWebhook, notifyTopic, notifyRetries, Duration.ofMillis(notifyTimeoutMs),
                NotifySettings.DEFAULT_BACKOFF, NotifySettings.DEFAULT_QUEUE);
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private SiteOperators siteOperators(String site) {
        Path file = operatorsFile();
        if (file == null) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "--http needs the site's operators: --operators FILE "
                    + "(site.json from ./tandem provision)");
        }
        return SiteOperators.follow(file, site);
    }

    /** {@code --operators}, or {@code site.json} of the site whose {@code credentials/} holds {@code --credentials}. */
    private Path operatorsFile() {
        if (operators != null) {
            return operators;
        }
        Path dir = login.credentials == null ? null : login.credentials.toAbsolutePath().getParent();
        return dir == null || dir.getParent() == null ? null : dir.getParent().resolve("site.json");
    }

    private static String status(CloudHub hub) {
        hub.metrics().flushLog(); // the summaries of rate-limited error lines
        HubMetrics.Snapshot s = hub.metrics().snapshot();
        return String.format("hub: connected %s | devices with model %d | escalations %d | verdicts %d | batches %d (mean %.1f)"
                        + " | verdict p50 %.1f ms | recorded %d (queued %d, dropped %d) | errors %d",
                hub.isConnected(), s.devicesWithModel(), s.escalationsReceived(), s.verdictsSent(), s.batches(),
                s.meanBatchSize(), s.verdictLatencyP50Ms(), hub.escalationLog().written(), hub.escalationLog().pending(),
                hub.escalationLog().dropped(), s.errors()) + notified(hub);
    }

    /** {@code | notified webhook 3 (failed 0, dropped 0)} per channel; empty when none. */
    private static String notified(CloudHub hub) {
        StringBuilder out = new StringBuilder();
        for (dev.tandem.hub.notify.Notifier.ChannelStatus c : hub.notifications()) {
            out.append(String.format(" | notified %s %d (failed %d, dropped %d)", c.channel(), c.sent(), c.failed(),
                    c.dropped()));
        }
        return out.toString();
    }
}
