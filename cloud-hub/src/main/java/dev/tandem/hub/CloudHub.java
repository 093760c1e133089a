package dev.tandem.hub;

import dev.tandem.hub.commissioning.CommissioningService;
import dev.tandem.hub.escalation.EscalationWorker;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.fleet.FleetListener;
import dev.tandem.hub.fleet.FleetRegistry;
import dev.tandem.hub.mqtt.HubConnection;
import dev.tandem.hub.rebaseline.Rebaseliner;
import dev.tandem.shared.signing.TrustedKey;
import dev.tandem.shared.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One running hub instance: commissions devices (fits their tiny and large models, publishes the
 * tiny one), answers escalations with verdicts from the large models (batched), and keeps a view
 * of the fleet. Several instances split the escalations through the shared subscription
 * {@code $share/hub/tandem/v1/+/+/escalations}; every instance fits every device.
 *
 * <pre>{@code
 * try (CloudHub hub = CloudHub.start(HubConfig.defaults(BrokerAddress.parse("tcp://127.0.0.1:1883")))) {
 *     ...
 *     System.out.println(hub.metrics().snapshot());
 * }
 * }</pre>
 */
public final class CloudHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudHub.class);

    private final HubConfig config;
    private final HubMetrics metrics;
    private final FleetRegistry fleet;
    private final HubConnection connection;
    private final ExecutorService control;
    private final EscalationWorker escalations;
    private final CommissioningService commissioning;
    private final Rebaseliner rebaseliner;
    private volatile CompletableFuture<Void> restored = CompletableFuture.completedFuture(null);
    private volatile boolean closed;

    private CloudHub(HubConfig config) {
        this.config = config;
        this.metrics = new HubMetrics();
        this.fleet = new FleetRegistry();
        metrics.devicesWithModel(fleet::devicesWithModel);
        this.connection = new HubConnection(config.broker(), config.login(), config.clientId(), metrics);
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tandem-hub-control-" + config.instanceId());
            t.setDaemon(true);
            return t;
        });
        this.escalations = new EscalationWorker(config, fleet, connection, metrics);
        this.commissioning = new CommissioningService(config, fleet, connection, metrics, control, escalations::retire);
        FleetListener fleetListener = new FleetListener(fleet, metrics, control);
        this.rebaseliner = new Rebaseliner(config.rebaseline(), metrics, control, commissioning::rebaseline);
        commissioning.onRebaselineSent(rebaseliner::sent);
        escalations.rebaselineWith(rebaseliner);

        String escalationFilter = config.sharedSubscription()
                ? shared(config.site(), Topics.Kind.ESCALATIONS) : devices(config.site(), Topics.Kind.ESCALATIONS);
        connection.subscribe(escalationFilter, 1, Topics.Kind.ESCALATIONS, escalations::offer);
        connection.subscribe(devices(config.site(), Topics.Kind.COMMISSIONING), 1, Topics.Kind.COMMISSIONING,
                commissioning::offer);
        connection.subscribe(devices(config.site(), Topics.Kind.MODEL_STATE), 1, Topics.Kind.MODEL_STATE,
                fleetListener::offer);
        connection.subscribe(devices(config.site(), Topics.Kind.STATUS), 1, Topics.Kind.STATUS, fleetListener::offer);
        if (config.rebaseline().enabled()) {
            // every instance follows the episodes; the one holding a device's recent readings re-baselines it
            connection.subscribe(devices(config.site(), Topics.Kind.ALARMS), 1, Topics.Kind.ALARMS,
                    rebaseliner::offer);
        }
        connection.onConnected(commissioning::republishPending);
    }

    /**
     * Starts a hub: refits the devices kept in {@code dataDir} (in the background, see
     * {@link #restored()}), connects and subscribes. Waits at most {@link HubConfig#connectTimeout()}
     * for the broker; if it is not there, logs {@code [BROKER_UNAVAILABLE]} and returns a hub that
     * keeps retrying with backoff.
     */
    public static CloudHub start(HubConfig config) {
        CloudHub hub = new CloudHub(config);
        hub.escalations.start();
        hub.restored = hub.commissioning.restore();
        if (hub.connection.connect(config.connectTimeout())) {
            LOG.info("hub {} up on {} (escalations via {}, batches of up to {} within {} ms)", config.instanceId(),
                    config.broker(), config.sharedSubscription() ? "shared subscription" : "plain subscription",
                    config.batchMax(), config.batchLinger().toNanos() / 1e6);
        } else {
            LOG.warn("hub {}: broker {} not reachable within {} s; retrying in the background", config.instanceId(),
                    config.broker(), config.connectTimeout().toSeconds());
        }
        return hub;
    }

    public HubConfig config() {
        return config;
    }

    public HubMetrics metrics() {
        return metrics;
    }

    public FleetRegistry fleet() {
        return fleet;
    }

    /** What the hub knows of the devices' held alarms and their re-baselining. */
    public Rebaseliner rebaseliner() {
        return rebaseliner;
    }

    public boolean isConnected() {
        return connection.isConnected();
    }

    /** Every device of the site (null: of every site). */
    private static String devices(String site, Topics.Kind kind) {
        return site == null ? Topics.allDevices(kind) : Topics.allDevices(site, kind);
    }

    private static String shared(String site, Topics.Kind kind) {
        return site == null ? Topics.shared(kind) : Topics.shared(site, kind);
    }

    /** The public key devices pin to accept this hub's models. */
    public TrustedKey publicKey() {
        return config.signingKey().publicKey();
    }

    /** Waits (bounded) until connected and subscribed. */
    public boolean awaitConnected(Duration timeout) {
        return connection.awaitConnected(timeout);
    }

    /** Completes when the devices kept in the data directory have been refitted (at once without one). */
    public CompletableFuture<Void> restored() {
        return restored;
    }

    /** Escalations received and not yet scored. */
    public int queuedEscalations() {
        return escalations.queued();
    }

    /** Stops cleanly: no new messages, the batch in hand finished, fits stopped, models closed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        commissioning.close();
        escalations.close();
        connection.close();
        control.shutdown();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        HubMetrics.Snapshot last = metrics.snapshot();
        for (DeviceModels m : fleet.clearModels()) {
            try {
                m.large().close();
            } catch (RuntimeException e) {
                LOG.warn("closing large model: {}", e.toString());
            }
        }
        LOG.info("hub {} stopped: {}", config.instanceId(), last);
    }
}
