package dev.tandem.hub.commissioning;

import dev.tandem.hub.HubConfig;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.fleet.FleetRegistry;
import dev.tandem.hub.fleet.ModelLineage;
import dev.tandem.hub.fleet.ModelRecord;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.mqtt.HubConnection;
import dev.tandem.hub.fit.DeviceFitter;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.fit.FittedDevice;
import dev.tandem.hub.fit.ModelVersions;
import dev.tandem.hub.rebaseline.NewNormal;
import dev.tandem.shared.wire.Sample;
import dev.tandem.hub.store.CommissioningSets;
import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.Models;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.signing.AssignmentSigner;
import dev.tandem.shared.signing.TrustChain;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Commissioning: a device's first readings arrive ({@code commissioning}, not shared: every hub
 * instance needs every device's large model); the set is kept in the hub's store, and the device's
 * tiny and large models come, on a small worker pool, from the store if an instance has already
 * fitted this set with these settings, else from a fit by the one instance that takes the set's
 * fit lease (the others wait for its models and load them). The models are installed in the
 * {@link FleetRegistry} and the instance that fitted them publishes the tiny model, retained, on
 * the device's {@code model} topic, with a manifest signed by the site's key for the device's class.
 * Versions derive from the data and settings, so every instance holds the same model. A restarted
 * hub ({@link #restore()}) loads every device's kept models for its newest set, fitting only what is
 * not kept (new settings), and publishes them again (a device takes a re-issue of the model it runs
 * silently). With the database away the hub fits by itself and keeps nothing.
 */
public final class CommissioningService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommissioningService.class);
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(10);
    /** A fit lease lasts this long unless renewed (renewed every third of it while the fit runs). */
    static final Duration LEASE_TTL = Duration.ofSeconds(30);
    /** How often an instance waiting for another's fit looks for its models. */
    private static final long WAIT_POLL_MS = 200;
    /** An instance waits at most this long for another's fit before fitting by itself. */
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final HubConfig config;
    private final FitSettings settings;
    private final FleetRegistry fleet;
    private final ModelLineage lineage;
    private final HubConnection connection;
    private final HubMetrics metrics;
    private final Consumer<LargeModel> retire;
    private final Executor control;
    private final ExecutorService fitPool;
    private final HubStore store;
    private final ScheduledExecutorService storeJobs;
    private final Map<DeviceId, Long> generations = new ConcurrentHashMap<>();
    private final Set<DeviceId> unpublished = ConcurrentHashMap.newKeySet();
    private final Map<DeviceId, Long> issued = new ConcurrentHashMap<>();
    /** The version a re-baselined model replaces, named as its manifest's parent. */
    private final Map<DeviceId, String> parents = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<DeviceId, String> rebaselineSent = (id, episode) -> {
    };
    private final AssignmentSigner signer;
    private final List<Consumer<Commissioning>> setListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** Whether a device's assignment is another's to make (a rollout's); true: not published here. */
    private volatile java.util.function.BiPredicate<DeviceId, Boolean> heldElsewhere = (id, restoring) -> false;

    /**
     * @param control   the hub's control thread (decoding off Paho's callback thread)
     * @param retire    receives each replaced large model, to close once nothing scores with it
     * @param store     the hub's store (called from the fit pool and {@code storeJobs} only)
     * @param storeJobs runs lease renewals and manifest records
     */
    public CommissioningService(HubConfig config, FleetRegistry fleet, ModelLineage lineage, HubConnection connection,
                                HubMetrics metrics, Executor control, Consumer<LargeModel> retire, HubStore store,
                                ScheduledExecutorService storeJobs) {
        this.lineage = lineage;
        this.config = config;
        this.settings = config.fitSettings();
        this.fleet = fleet;
        this.connection = connection;
        this.metrics = metrics;
        this.control = control;
        this.signer = new AssignmentSigner(config.signingKey());
        this.retire = retire;
        this.store = store;
        this.storeJobs = storeJobs;
        AtomicInteger n = new AtomicInteger();
        this.fitPool = Executors.newFixedThreadPool(config.fitThreads(), r -> {
            Thread t = new Thread(r, "tandem-hub-fit-" + config.instanceId() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    /** Paho callback: hands the payload to the control thread and returns. */
    public void offer(Topics.DeviceTopic topic, byte[] payload, long arrivedNanos) {
        control.execute(() -> handle(topic, payload));
    }

    private void handle(Topics.DeviceTopic t, byte[] payload) {
        if (payload.length == 0) {
            LOG.debug("empty message on {} (a retained message cleared): ignored", t);
            return;
        }
        try {
            Commissioning c = Wire.decode(payload, Commissioning.class);
            if (!t.site().equals(c.site()) || !t.device().equals(c.device())) {
                throw new TandemException(ErrorCode.DEVICE_MISMATCH, "commissioning set of " + c.site() + "/"
                        + c.device() + " arrived on " + Topics.of(t.site(), t.device(), t.kind()));
            }
            metrics.commissioningReceived();
            parents.remove(new DeviceId(c.site(), c.device()));
            LOG.info("commissioning set of {}/{}: {} samples x {} channels", c.site(), c.device(),
                    c.samples().size(), c.channels());
            submit(c, null);
        } catch (TandemException e) {
            metrics.error(e);
        }
    }

    /**
     * Devices whose retained assignment another part of the hub makes (the rollouts): {@code held.test(device,
     * restoring)} true and this service installs their models but does not publish them.
     */
    /** Where the artifacts of the assignments go for the devices to fetch (null: published inline). */
    public void deliverWith(dev.tandem.hub.delivery.ArtifactServer server) {
        this.artifacts = server;
    }

    private volatile dev.tandem.hub.delivery.ArtifactServer artifacts;

    public void holdAssignments(java.util.function.BiPredicate<DeviceId, Boolean> held) {
        this.heldElsewhere = held;
    }

    /** Told of each re-baseline sent (device, episode). */
    public void onRebaselineSent(java.util.function.BiConsumer<DeviceId, String> listener) {
        this.rebaselineSent = listener;
    }

    /**
     * Re-baselines a device whose alarm has held (on the fit pool; returns at once): its recent readings
     * are judged ({@link NewNormal}); if they are its new normal, the device is commissioned on them
     * through the one commissioning path (the set kept in the store, so a restart loads the new normal;
     * the models fitted under the set's lease), and the new tiny model is published signed, a new
     * generation, its manifest naming the model it replaces as parent. Otherwise nothing changes
     * (counted). {@code done} runs when it is over either way.
     */
    public void rebaseline(DeviceId id, String episode, List<Sample> recent, boolean judge, Runnable done) {
        DeviceModels current = fleet.models(id).orElse(null);
        if (current == null || closed) {
            done.run();
            return;
        }
        double maxShare = config.rebaseline().maxAnomalousShare();
        CompletableFuture.runAsync(() -> {
            metrics.rebaseline(HubMetrics.REBASELINE_STARTED);
            if (!judge) {
                LOG.info("{}: alarm {}: labelled normal by an operator; re-fitting on {} readings", id, episode,
                        recent.size());
            }
            NewNormal.Judgement j = judge ? NewNormal.judge(id.site(), id.device(), current.deviceClass(), recent, settings)
                    : null;
            if (j != null && !j.steady(maxShare)) {
                metrics.rebaseline(HubMetrics.REBASELINE_NOT_SETTLED);
                LOG.info("{}: alarm {}: not a new normal ({} of {} verdicts anomalous on the second half, at most {}; "
                        + "level change {} spreads, at most {}); no new model", id, episode, j.anomalous(), j.windows(),
                        maxShare, String.format("%.2f", j.levelChange()), NewNormal.MAX_LEVEL_CHANGE);
                return;
            }
            if (fleet.models(id).map(m -> m.tiny() != current.tiny()).orElse(true)) {
                LOG.info("{}: its model changed while alarm {} was judged; no re-baseline", id, episode);
                return;
            }
            if (j != null) {
                LOG.info("{}: alarm {}: a new normal ({} of {} verdicts anomalous on the second half); re-fitting on {} "
                        + "recent readings", id, episode, j.anomalous(), j.windows(), recent.size());
            }
            if (refit(id, current, recent)) {
                metrics.rebaseline(HubMetrics.REBASELINE_SENT);
                rebaselineSent.accept(id, episode);
            }
        }, fitPool).whenComplete((v, e) -> {
            done.run();
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e;
                metrics.failed("cannot re-baseline " + id, cause instanceof RuntimeException r ? r
                        : new IllegalStateException(cause));
            }
        });
    }

    /**
     * Commissions the device afresh on {@code samples} through the one commissioning path (the set kept,
     * the models fitted under its lease), its new tiny model published signed, a new generation naming
     * the current one as parent (a re-baseline, a retraining). Blocks while fitting: call it off the
     * event loop and off the verdict worker.
     *
     * @return whether the new model was published
     */
    public boolean refit(DeviceId id, DeviceModels current, List<Sample> samples) {
        Commissioning c = Commissioning.of(id.site(), id.device(), current.deviceClass(), samples);
        parents.put(id, current.tiny().version());
        long generation = generations.merge(id, 1L, Long::sum);
        return commission(id, c, generation, null);
    }

    /** The settings this hub fits with. */
    public dev.tandem.hub.fit.FitSettings settings() {
        return settings;
    }

    /**
     * A restarted hub: every device's newest kept set, its models loaded from the store (fitted
     * where none are kept for these settings) and published again; completes when all are installed.
     */
    public CompletableFuture<Void> restore() {
        return CompletableFuture.supplyAsync(() -> store.commissioning().latestOfEachDevice((key, e) ->
                        metrics.error(e.code(), "stored commissioning set " + key + " skipped: " + e.getMessage())), fitPool)
                .thenCompose(sets -> {
                    List<CompletableFuture<Void>> loads = new ArrayList<>();
                    for (CommissioningSets.StoredSet s : sets) {
                        LOG.info("restoring {}/{} from {}", s.set().site(), s.set().device(), store);
                        loads.add(submit(s.set(), s.sha256()));
                    }
                    return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new));
                })
                .exceptionally(e -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause() : e;
                    if (cause instanceof TandemException te) {
                        metrics.error(te.code(), "devices not restored from the store: " + te.getMessage());
                    } else {
                        LOG.error("restoring devices from the store failed", cause);
                    }
                    return null;
                });
    }

    /** Calls {@code listener} with each commissioning set taken (received or restored) before it is fitted; it must return at once. */
    public void onSet(Consumer<Commissioning> listener) {
        setListeners.add(listener);
    }

    /** @param keptSha the set's sha256 when it comes from the store (a restart), null when it just arrived */
    private CompletableFuture<Void> submit(Commissioning c, String keptSha) {
        for (Consumer<Commissioning> l : setListeners) {
            try {
                l.accept(c);
            } catch (RuntimeException e) {
                LOG.warn("commissioning set listener failed on {}/{}: {}", c.site(), c.device(), e.toString());
            }
        }
        DeviceId id = new DeviceId(c.site(), c.device());
        long generation = generations.merge(id, 1L, Long::sum);
        return CompletableFuture.runAsync(() -> commission(id, c, generation, keptSha), fitPool)
                .exceptionally(e -> {
                    LOG.error("fit of {} failed", id, e);
                    return null;
                });
    }

    private boolean superseded(DeviceId id, long generation) {
        return closed || generations.get(id) != generation;
    }

    /** Commissions a set; true if its models were fitted here and published. */
    private boolean commission(DeviceId id, Commissioning c, long generation, String keptSha) {
        if (superseded(id, generation)) {
            return false; // a newer set of this device is queued
        }
        boolean restoring = keptSha != null;
        String setSha = keptSha;
        if (!restoring) {
            try {
                setSha = store.commissioning().save(c, System.currentTimeMillis());
            } catch (TandemException e) {
                metrics.error(e.code(), "commissioning set of " + id + " not kept (" + e.getMessage()
                        + "); fitting it here, a restarted hub will not know this device");
            }
        }
        seedGeneration(id);
        long t0 = System.nanoTime();
        Obtained obtained;
        try {
            obtained = obtain(id, c, setSha, generation);
        } catch (RuntimeException e) {
            metrics.failed("cannot fit the models of " + id, e);
            return false;
        }
        if (obtained == null) {
            return false;
        }
        FittedDevice fitted = obtained.models();
        TinyModel tiny = fitted.tiny();
        LargeModel large = fitted.large();
        synchronized (this) {
            if (superseded(id, generation)) {
                large.close();
                return false;
            }
            DeviceModels models = new DeviceModels(tiny, large, c.deviceClass(), Instant.now());
            fleet.install(id, models).ifPresent(old -> retire.accept(old.large()));
        }
        long nanos = System.nanoTime() - t0;
        if (obtained.fittedHere()) {
            metrics.modelFitted(nanos);
            LOG.info("fitted {}: {} ({} params) and {} ({} params, context {}) in {} ms", id, tiny.version(),
                    tiny.parameterCount(), large.version(), large.parameterCount(), large.contextSize(),
                    TimeUnit.NANOSECONDS.toMillis(nanos));
        } else {
            metrics.modelLoaded();
            LOG.info("loaded {}: {} and {} from the store in {} ms", id, tiny.version(), large.version(),
                    TimeUnit.NANOSECONDS.toMillis(nanos));
        }
        if (obtained.fittedHere() || restoring) {
            if (heldElsewhere.test(id, restoring)) {
                LOG.info("{}: model {} installed, not published: its assignment is a rollout's", id, tiny.version());
                return false;
            }
            publish(id);
            return true;
        }
        return false;
    }

    private record Obtained(FittedDevice models, boolean fittedHere) {
    }

    /**
     * The device's models for this set and these settings: loaded if kept, else fitted here under the
     * set's fit lease (and kept), else, while another instance holds the lease, waited for and loaded;
     * null if superseded or closed meanwhile. The database away or a kept model damaged: fitted here.
     */
    private Obtained obtain(DeviceId id, Commissioning c, String setSha, long generation) {
        String fingerprint = ModelVersions.fingerprint(c, settings);
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        boolean waiting = false;
        while (!superseded(id, generation)) {
            try {
                if (store.models().has(id.site(), id.device(), fingerprint)) {
                    Optional<FittedDevice> kept = store.models().load(id.site(), id.device(), fingerprint);
                    if (kept.isPresent()) {
                        return new Obtained(kept.get(), false);
                    }
                }
                if (System.nanoTime() > deadline) {
                    LOG.warn("{}: another instance's fit lease held for {} min; fitting here", id, MAX_WAIT.toMinutes());
                    return new Obtained(DeviceFitter.fit(c, settings), true);
                }
                if (store.leases().tryAcquire(id.site(), id.device(), fingerprint, config.instanceId(), LEASE_TTL,
                        System.currentTimeMillis())) {
                    // the holder before us may have kept the models and released the lease since we looked
                    Optional<FittedDevice> keptMeanwhile = store.models().has(id.site(), id.device(), fingerprint)
                            ? store.models().load(id.site(), id.device(), fingerprint) : Optional.empty();
                    if (keptMeanwhile.isPresent()) {
                        store.leases().release(id.site(), id.device(), fingerprint, config.instanceId());
                        return new Obtained(keptMeanwhile.get(), false);
                    }
                    return fitUnderLease(id, c, setSha, fingerprint);
                }
                if (!waiting) {
                    LOG.info("{}: another hub instance is fitting set {}; waiting for its models", id, fingerprint);
                    waiting = true;
                }
            } catch (TandemException e) {
                if (e.code() != ErrorCode.STORE_UNAVAILABLE && e.code() != ErrorCode.ARTIFACT_HASH_MISMATCH
                        && e.code() != ErrorCode.ARTIFACT_INVALID) {
                    throw e;
                }
                metrics.error(e.code(), "models of " + id + " not taken from the store (" + e.getMessage()
                        + "); fitting them here");
                return new Obtained(DeviceFitter.fit(c, settings), true);
            }
            try {
                Thread.sleep(WAIT_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private Obtained fitUnderLease(DeviceId id, Commissioning c, String setSha, String fingerprint) {
        ScheduledFuture<?> renewal = storeJobs.scheduleAtFixedRate(() -> {
            try {
                if (!store.leases().renew(id.site(), id.device(), fingerprint, config.instanceId(), LEASE_TTL,
                        System.currentTimeMillis())) {
                    LOG.warn("{}: fit lease lost (expired and taken over); both instances fit", id);
                }
            } catch (TandemException e) {
                LOG.warn("{}: fit lease not renewed: {}", id, e.getMessage());
            }
        }, LEASE_TTL.toMillis() / 3, LEASE_TTL.toMillis() / 3, TimeUnit.MILLISECONDS);
        long t0 = System.nanoTime();
        try {
            FittedDevice fitted = DeviceFitter.fit(c, settings);
            keep(id, c, setSha, fitted, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return new Obtained(fitted, true);
        } finally {
            renewal.cancel(false);
            try {
                store.leases().release(id.site(), id.device(), fingerprint, config.instanceId());
            } catch (TandemException e) {
                LOG.warn("{}: fit lease not released (it expires in {} s): {}", id, LEASE_TTL.toSeconds(), e.getMessage());
            }
        }
    }

    private void keep(DeviceId id, Commissioning c, String setSha, FittedDevice fitted, long fitMillis) {
        if (setSha == null) {
            return; // the set itself was not kept
        }
        String figures = null;
        try {
            figures = VariantFigures.measure(id, fitted.tiny(), fitted.large(), c.samples()).json();
        } catch (RuntimeException e) {
            LOG.warn("{}: the figures of {} not measured: {}", id, fitted.tiny().version(), e.toString());
        }
        try {
            store.models().save(new Models.FitRecord(id.site(), id.device(), c.deviceClass(), setSha, null,
                    config.instanceId(), fitMillis, System.currentTimeMillis(), figures), fitted);
        } catch (TandemException e) {
            metrics.error(e.code(), "models of " + id + " not kept (" + e.getMessage() + "); other instances fit "
                    + "them too, a restarted hub refits");
        }
    }

    /** Generations continue above the highest any instance issued to the device (clocks may differ). */
    private void seedGeneration(DeviceId id) {
        try {
            store.models().lastGeneration(id.site(), id.device()).ifPresent(g -> issued.merge(id, g, Math::max));
        } catch (TandemException e) {
            LOG.debug("{}: last generation not read: {}", id, e.getMessage());
        }
    }

    /** Publishes a device's current tiny model, retained; remembered for the next connect if it cannot go now. */
    private void publish(DeviceId id) {
        DeviceModels m = fleet.models(id).orElse(null);
        if (m == null || closed) {
            return;
        }
        if (!connection.isConnected()) {
            // not an error: published as soon as the hub is connected (see republishPending)
            unpublished.add(id);
            LOG.info("model {} for {} will be published once connected to the broker", m.tiny().version(), id);
            if (connection.isConnected()) {
                republishPending();
            }
            return;
        }
        if (!config.keyHistory().isEmpty()) {
            // the key history first: a device pinned to an earlier key needs it to trust this model
            connection.publish(Topics.of(id.site(), id.device(), Topics.Kind.TRUST),
                    Wire.encode(TrustChain.of(id.site(), id.device(), config.keyHistory())), 1, true, PUBLISH_WAIT,
                    failure -> {
                        if (failure != null) {
                            metrics.error(ErrorCode.BROKER_UNAVAILABLE, "key history for " + id + " not delivered: "
                                    + failure.getMessage());
                        }
                    });
        }
        long generation = nextGeneration(id);
        String parent = parents.get(id);
        if (parent != null && parent.equals(m.tiny().version())) {
            parent = null;
        }
        ModelAssignment a = signer.assign(id.site(), id.device(), m.deviceClass(), generation, m.tiny(), parent,
                m.large().contextSize());
        lineage.assigned(new ModelRecord(id, m.tiny().version(), parent, generation, m.deviceClass(), m.fittedAt(),
                Instant.now(), m.large().version(), m.tiny().parameterCount(), m.large().parameterCount()));
        String version = m.tiny().version();
        recordManifest(id, generation, version, a);
        dev.tandem.hub.delivery.ArtifactServer server = artifacts;
        ModelAssignment published = server == null ? a : server.publishable(id, a);
        boolean handed = connection.publish(Topics.of(id.site(), id.device(), Topics.Kind.MODEL), Wire.encode(published),
                1, true, PUBLISH_WAIT, failure -> {
                    if (failure == null) {
                        metrics.modelPublished();
                        LOG.info("published model {} to {}", version, id);
                    } else {
                        unpublished.add(id);
                        metrics.error(ErrorCode.BROKER_UNAVAILABLE, "model " + version + " for " + id
                                + " not delivered (" + failure.getMessage() + "); will retry on reconnect");
                    }
                });
        if (!handed) {
            unpublished.add(id);
            metrics.error(ErrorCode.BROKER_UNAVAILABLE, "model " + version + " for " + id
                    + " not published: not connected; will retry on reconnect");
        }
    }

    /**
     * The generation of a device's next manifest: above every one this instance issued, and the
     * issue time in milliseconds, so that a restarted hub or another instance of the site (sharing the
     * signing key) also issues above what the device has accepted, without coordination.
     */
    private long nextGeneration(DeviceId id) {
        return issued.merge(id, System.currentTimeMillis(), (last, now) -> Math.max(last + 1, now));
    }

    private void recordManifest(DeviceId id, long generation, String version, ModelAssignment a) {
        Models.ManifestRecord record = new Models.ManifestRecord(id.site(), id.device(), generation, version,
                signer.keyId(), Wire.encode(a.manifest()), System.currentTimeMillis(), config.instanceId());
        try {
            storeJobs.execute(() -> {
                try {
                    store.models().recordManifest(record);
                } catch (TandemException e) {
                    metrics.error(e.code(), "manifest " + generation + " of " + id + " not recorded: " + e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("hub stopping: manifest {} of {} not recorded", generation, id);
        }
    }

    /** After a (re)connect: publishes the models that could not go out. */
    public void republishPending() {
        control.execute(() -> {
            for (DeviceId id : List.copyOf(unpublished)) {
                if (unpublished.remove(id)) {
                    publish(id);
                }
            }
        });
    }

    /** Stops fitting (waits a little for running fits, whose models are then closed). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        fitPool.shutdownNow();
        try {
            if (!fitPool.awaitTermination(20, TimeUnit.SECONDS)) {
                LOG.warn("model fits still running after 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
