package dev.tandem.hub;

import dev.tandem.hub.alarm.AlarmLog;
import dev.tandem.hub.alarm.InMemoryAlarmLog;
import dev.tandem.hub.commissioning.CommissioningService;
import dev.tandem.hub.escalation.EscalationWorker;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.fleet.FleetListener;
import dev.tandem.hub.fleet.FleetRegistry;
import dev.tandem.hub.fleet.InMemoryModelLineage;
import dev.tandem.hub.fleet.ModelLineage;
import dev.tandem.hub.live.DeviceTrails;
import dev.tandem.hub.live.HubEvents;
import dev.tandem.hub.live.ObservedAlarmLog;
import dev.tandem.hub.mqtt.HubConnection;
import dev.tandem.hub.notify.Notifier;
import dev.tandem.hub.rebaseline.Rebaseliner;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.store.EscalationLog;
import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.RetentionJob;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.TrustedKey;
import dev.tandem.shared.topic.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One running hub instance: commissions devices (fits their tiny and large models, publishes the
 * tiny one), answers escalations with verdicts from the large models (batched), and keeps a view
 * of the fleet. Its state lives in the hub's store ({@link HubStore}: commissioning sets, models,
 * escalations and verdicts), so a restarted hub loads its devices' models instead of fitting them.
 * Several instances split the escalations through the shared subscription
 * {@code $share/hub/tandem/v1/+/+/escalations}; on one shared database a device is fitted once (by
 * the instance holding its fit lease) and every instance loads its models.
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
    private static final Duration RETENTION_FIRST_RUN = Duration.ofMinutes(1);

    private final HubConfig config;
    private final HubMetrics metrics;
    private final FleetRegistry fleet;
    private final ModelLineage lineage;
    private final AlarmLog alarms;
    private final HubEvents events = new HubEvents();
    private final DeviceTrails trails = new DeviceTrails();
    private final java.time.Instant startedAt = java.time.Instant.now();
    private final HubConnection connection;
    private final ExecutorService control;
    private final EscalationWorker escalations;
    private final CommissioningService commissioning;
    private final Rebaseliner rebaseliner;
    /** Null when no notification channel is configured. */
    private final Notifier notifier;
    private final HubStore store;
    private final EscalationLog escalationLog;
    private final ScheduledExecutorService storeJobs;
    private final java.util.concurrent.ExecutorService retrainPool;
    private final dev.tandem.hub.retrain.RetrainService retrainer;
    private final dev.tandem.hub.retrain.RetrainTriggers retrainTriggers;
    private final dev.tandem.hub.rollout.RolloutEngine rollouts;
    private final dev.tandem.hub.delivery.ArtifactServer artifacts;
    private volatile CompletableFuture<Void> restored = CompletableFuture.completedFuture(null);
    private volatile boolean closed;

    private CloudHub(HubConfig config, HubStore store, ModelLineage lineage, AlarmLog alarms) {
        this.config = config;
        this.store = store;
        this.metrics = new HubMetrics();
        this.fleet = new FleetRegistry();
        this.lineage = java.util.Objects.requireNonNull(lineage, "lineage");
        this.alarms = new ObservedAlarmLog(java.util.Objects.requireNonNull(alarms, "alarms"), events);
        fleet.onChange(id -> events.publish(HubEvents.Kind.DEVICE, id));
        metrics.devicesWithModel(fleet::devicesWithModel);
        metrics.devicesByState(fleet::devicesIn);
        this.connection = new HubConnection(config.broker(), config.login(), config.clientId(), metrics,
                config.sessionExpiry());
        this.notifier = Notifier.start(config.notifications(), config.instanceId(), connection, metrics.registry(), events);
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tandem-hub-control-" + config.instanceId());
            t.setDaemon(true);
            return t;
        });
        this.storeJobs = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-hub-store-" + config.instanceId());
            t.setDaemon(true);
            return t;
        });
        this.escalationLog = new EscalationLog(store, metrics, EscalationLog.DEFAULT_CAPACITY, config.instanceId());
        this.escalations = new EscalationWorker(config, fleet, connection, metrics, escalationLog,
                (e, v) -> {
                    events.publish(HubEvents.Kind.VERDICT, trails.record(e, v));
                    if (v != null) {
                        verdictCounted(new DeviceId(e.site(), e.device()));
                    }
                });
        this.commissioning = new CommissioningService(config, fleet, lineage, connection, metrics, control,
                escalations::retire, store, storeJobs);
        commissioning.onSet(trails::commissioned);
        this.retrainPool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tandem-hub-retrain-" + config.instanceId());
            t.setDaemon(true);
            return t;
        });
        this.retrainer = new dev.tandem.hub.retrain.RetrainService(fleet, escalations, commissioning, store, metrics,
                retrainPool);
        storeJobs.scheduleAtFixedRate(new RetentionJob(store, Clock.systemUTC()), RETENTION_FIRST_RUN.toMillis(),
                RetentionJob.INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        this.rebaseliner = new Rebaseliner(config.rebaseline(), commissioning::rebaseline);
        commissioning.onRebaselineSent(rebaseliner::sent);
        escalations.rebaselineWith(rebaseliner);
        FleetListener fleetListener = new FleetListener(fleet, this.alarms, metrics, control, rebaseliner::onAlarm);
        this.retrainTriggers = new dev.tandem.hub.retrain.RetrainTriggers(config.retrainTriggers(),
                config.tinyFit().escalationBudget(), (id, reason) -> retrainer.retrain(id, reason),
                System::currentTimeMillis);
        fleetListener.onStatus(retrainTriggers::onStatus);
        this.rollouts = new dev.tandem.hub.rollout.RolloutEngine(config, store, fleet, lineage, connection, metrics);
        commissioning.holdAssignments(rollouts::holdsAssignment);
        this.artifacts = new dev.tandem.hub.delivery.ArtifactServer(store, connection, metrics, config.instanceId());
        commissioning.deliverWith(artifacts);
        rollouts.deliverWith(artifacts);
        fleetListener.onModelState(rollouts::offer);

        String escalationFilter = config.sharedSubscription()
                ? shared(config.site(), Topics.Kind.ESCALATIONS) : devices(config.site(), Topics.Kind.ESCALATIONS);
        connection.subscribe(escalationFilter, 1, Topics.Kind.ESCALATIONS, escalations::offer);
        connection.subscribe(config.sharedSubscription() ? shared(config.site(), Topics.Kind.MODEL_FETCH)
                : devices(config.site(), Topics.Kind.MODEL_FETCH), 0, Topics.Kind.MODEL_FETCH, artifacts::offer);
        connection.subscribe(devices(config.site(), Topics.Kind.COMMISSIONING), 1, Topics.Kind.COMMISSIONING,
                commissioning::offer);
        connection.subscribe(devices(config.site(), Topics.Kind.MODEL_STATE), 1, Topics.Kind.MODEL_STATE,
                fleetListener::offer);
        connection.subscribe(devices(config.site(), Topics.Kind.STATUS), 1, Topics.Kind.STATUS, fleetListener::offer);
        connection.subscribe(devices(config.site(), Topics.Kind.ALARMS), 1, Topics.Kind.ALARMS, fleetListener::offer);
        connection.onConnected(commissioning::republishPending);
    }

    /**
     * Starts a hub: opens its store (migrating the schema), loads the devices kept there (in the
     * background, see {@link #restored()}), connects and subscribes. Waits at most
     * {@link HubConfig#connectTimeout()} for the broker; if it is not there, logs
     * {@code [BROKER_UNAVAILABLE]} and returns a hub that keeps retrying with backoff.
     *
     * @throws TandemException STORE_UNAVAILABLE if the store cannot be opened
     */
    public static CloudHub start(HubConfig config) {
        return start(config, new InMemoryModelLineage(), new InMemoryAlarmLog());
    }

    /** {@link #start(HubConfig)} keeping the models' lineage and the alarms where the caller says (e.g. the store). */
    public static CloudHub start(HubConfig config, ModelLineage lineage, AlarmLog alarms) {
        long opening = System.nanoTime();
        HubStore store = HubStore.open(config.store());
        long openMs = (System.nanoTime() - opening) / 1_000_000;
        CloudHub hub;
        try {
            hub = new CloudHub(config, store, lineage, alarms);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        LOG.info("hub {}: store {} opened in {} ms ({})", config.instanceId(), config.store().displayUrl(), openMs,
                config.store().persistent() ? "kept, escalations for " + config.store().retention().toDays() + " days"
                        : "in memory: nothing kept");
        hub.escalations.start();
        try {
            hub.rollouts.load();
        } catch (TandemException e) {
            hub.metrics.error(e.code(), "rollouts not resumed: " + e.getMessage());
        }
        hub.restored = hub.commissioning.restore();
        hub.restored.thenRun(hub.rollouts::resume);
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
    /**
     * An operator labelled {@code [fromMs, toMs)} of {@code id} normal (the label is kept by the caller): a
     * device holding an alarm episode is re-baselined on its readings inside the label, without the large
     * model's judgement. Completes on the verdict worker's next turn.
     */
    public java.util.concurrent.CompletableFuture<Rebaseliner.LabelOutcome> labelledNormal(DeviceId id, long fromMs,
                                                                                         long toMs) {
        return escalations.withRecent(id, recent -> rebaseliner.labelledNormal(id, fromMs, toMs, recent));
    }

    /** The large model judged an escalation of the device (on the verdict worker): the verdicts trigger counts it. */
    private void verdictCounted(DeviceId id) {
        dev.tandem.hub.retrain.RetrainTriggers t = retrainTriggers; // null while the hub is being built
        if (t != null) {
            t.onVerdict(id);
        }
    }

    /** An operator labelled a stretch of the device (kept): the labels trigger counts it. */
    public void labelled(DeviceId id) {
        retrainTriggers.onLabel(id);
    }

    /** Retrains a device on what the hub holds of it, through the gate (see {@link dev.tandem.hub.retrain.RetrainService}). */
    public java.util.concurrent.CompletableFuture<dev.tandem.hub.retrain.RetrainService.Run> retrain(DeviceId id,
                                                                                                  String reason) {
        return retrainer.retrain(id, reason);
    }

    public Rebaseliner rebaseliner() {
        return rebaseliner;
    }

    /** The models assigned to each device (what the API shows as a device's lineage). */
    public ModelLineage lineage() {
        return lineage;
    }

    /** The alarms heard from the devices, newest first. */
    public AlarmLog alarms() {
        return alarms;
    }

    /** The hub's live events (what the console's {@code /api/v1/events} streams). */
    public HubEvents events() {
        return events;
    }

    /** The recent readings seen in each device's escalations, and the verdicts on them. */
    public DeviceTrails trails() {
        return trails;
    }

    /** What each notification channel has done (empty: none configured). */
    public java.util.List<Notifier.ChannelStatus> notifications() {
        return notifier == null ? java.util.List.of() : notifier.status();
    }

    public java.time.Instant startedAt() {
        return startedAt;
    }

    /** Serves the artifacts of the hub's assignments in chunks. */
    public dev.tandem.hub.delivery.ArtifactServer artifacts() {
        return artifacts;
    }

    /** The fleet's model rollouts. */
    public dev.tandem.hub.rollout.RolloutEngine rollouts() {
        return rollouts;
    }

    /** The hub's store (blocking JDBC: call it from worker threads). */
    public HubStore store() {
        return store;
    }

    /** Where escalations and verdicts are recorded. */
    public EscalationLog escalationLog() {
        return escalationLog;
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

    /** Completes when the devices kept in the store have been loaded (or fitted, where none are kept for these settings). */
    public CompletableFuture<Void> restored() {
        return restored;
    }

    /** Escalations received and not yet scored. */
    public int queuedEscalations() {
        return escalations.queued();
    }

    /**
     * Stops as a hub process that is killed would, for fault tests: the broker connection is dropped
     * first (no unsubscribe, no DISCONNECT: the broker keeps the session and queues for it), then the
     * rest is closed. Nothing received after the drop is answered by this instance.
     */
    public synchronized void halt() {
        if (closed) {
            return;
        }
        connection.drop();
        close();
    }

    /**
     * Stops cleanly, bounded: intake stopped (the shared escalation subscription left, so new
     * escalations go to the other instances; with a persistent session the other subscriptions stay
     * and what they bring from now on is left to the broker for this instance's restart), the
     * escalations already received answered (at most 10 s), fits stopped, disconnected, models closed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        connection.stopIntake(Duration.ofSeconds(2));
        retrainPool.shutdownNow();
        rollouts.close();
        artifacts.close();
        commissioning.close();
        escalations.close();
        if (notifier != null) {
            notifier.close();
        }
        connection.close();
        escalationLog.close();
        storeJobs.shutdownNow();
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
        try {
            storeJobs.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        LOG.info("hub {} stopped: {}", config.instanceId(), last);
    }
}
