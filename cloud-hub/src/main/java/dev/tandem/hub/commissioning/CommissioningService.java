package dev.tandem.hub.commissioning;

import dev.tandem.hub.HubConfig;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.fleet.FleetRegistry;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.mqtt.HubConnection;
import dev.tandem.hub.fit.DeviceFitter;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.hub.fit.FittedDevice;
import dev.tandem.hub.rebaseline.NewNormal;
import dev.tandem.shared.wire.Sample;
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

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Commissioning: a device's first readings arrive ({@code commissioning}, not shared: every hub
 * instance needs every device's large model); the hub fits the device's tiny and large models on a
 * small worker pool, installs them in the {@link FleetRegistry} and publishes the tiny model,
 * retained, on the device's {@code model} topic, with a manifest signed by the site's key for the
 * device's class. Versions derive from the data and settings, so every instance publishes the same
 * model (each with its own, higher generation; a device takes a re-issue of the model it runs
 * silently). With a data directory, the sets are kept and
 * refitted when the hub restarts.
 */
public final class CommissioningService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommissioningService.class);
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(10);

    private final HubConfig config;
    private final FitSettings settings;
    private final FleetRegistry fleet;
    private final HubConnection connection;
    private final HubMetrics metrics;
    private final Consumer<LargeModel> retire;
    private final Executor control;
    private final ExecutorService fitPool;
    private final CommissioningStore store;
    private final Map<DeviceId, Long> generations = new ConcurrentHashMap<>();
    private final Set<DeviceId> unpublished = ConcurrentHashMap.newKeySet();
    private final Map<DeviceId, Long> issued = new ConcurrentHashMap<>();
    /** The version a re-baselined model replaces, named as its manifest's parent. */
    private final Map<DeviceId, String> parents = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<DeviceId, String> rebaselineSent = (id, episode) -> {
    };
    private final AssignmentSigner signer;
    private volatile boolean closed;

    /**
     * @param control the hub's control thread (decoding off Paho's callback thread)
     * @param retire  receives each replaced large model, to close once nothing scores with it
     */
    public CommissioningService(HubConfig config, FleetRegistry fleet, HubConnection connection, HubMetrics metrics,
                                Executor control, Consumer<LargeModel> retire) {
        this.config = config;
        this.settings = config.fitSettings();
        this.fleet = fleet;
        this.connection = connection;
        this.metrics = metrics;
        this.control = control;
        this.signer = new AssignmentSigner(config.signingKey());
        this.retire = retire;
        this.store = config.dataDir() == null ? null : new CommissioningStore(config.dataDir(), metrics);
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
            submit(c, true);
        } catch (TandemException e) {
            metrics.error(e);
        }
    }

    /** Told of each re-baseline sent (device, episode). */
    public void onRebaselineSent(java.util.function.BiConsumer<DeviceId, String> listener) {
        this.rebaselineSent = listener;
    }

    /**
     * Re-baselines a device whose alarm has held (on the fit pool; returns at once): its recent readings
     * are judged ({@link NewNormal}); if they are its new normal, the device is re-fitted on them through
     * the one fit path, as commissioning does (kept as its commissioning set with a data directory, so a
     * restart refits the new normal), and the new tiny model is published signed, a new generation, its
     * manifest naming the model it replaces as parent. Otherwise nothing changes (counted).
     */
    public void rebaseline(DeviceId id, String episode, List<Sample> recent, Runnable done) {
        DeviceModels current = fleet.models(id).orElse(null);
        if (current == null || closed) {
            done.run();
            return;
        }
        double maxShare = config.rebaseline().maxAnomalousShare();
        CompletableFuture.runAsync(() -> {
            metrics.rebaseline(HubMetrics.REBASELINE_STARTED);
            NewNormal.Judgement j = NewNormal.judge(id.site(), id.device(), current.deviceClass(), recent, settings);
            if (!j.steady(maxShare)) {
                metrics.rebaseline(HubMetrics.REBASELINE_NOT_SETTLED);
                LOG.info("{}: alarm {}: not a new normal ({} of {} verdicts anomalous on the second half, at most {}; "
                        + "level change {} spreads, at most {}); no new model", id, episode, j.anomalous(), j.windows(),
                        maxShare, String.format("%.2f", j.levelChange()), NewNormal.MAX_LEVEL_CHANGE);
                return;
            }
            LOG.info("{}: alarm {}: a new normal ({} of {} verdicts anomalous on the second half); re-fitting on {} "
                    + "recent readings", id, episode, j.anomalous(), j.windows(), recent.size());
            if (fleet.models(id).map(m -> m.tiny() != current.tiny()).orElse(true)) {
                LOG.info("{}: its model changed while alarm {} was judged; no re-baseline", id, episode);
                return;
            }
            Commissioning c = Commissioning.of(id.site(), id.device(), current.deviceClass(), recent);
            parents.put(id, current.tiny().version());
            long generation = generations.merge(id, 1L, Long::sum);
            if (fit(id, c, generation, true)) {
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

    /** Refits every stored set (a restarted hub); completes when all these fits are done. */
    public CompletableFuture<Void> restore() {
        if (store == null) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> fits = new ArrayList<>();
        for (Commissioning c : store.loadAll()) {
            LOG.info("refitting {}/{} from {}", c.site(), c.device(), store.root());
            fits.add(submit(c, false));
        }
        return CompletableFuture.allOf(fits.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> submit(Commissioning c, boolean persist) {
        DeviceId id = new DeviceId(c.site(), c.device());
        long generation = generations.merge(id, 1L, Long::sum);
        return CompletableFuture.runAsync(() -> fit(id, c, generation, persist), fitPool)
                .exceptionally(e -> {
                    LOG.error("fit of {} failed", id, e);
                    return null;
                });
    }

    /** Fits, installs and publishes; false if it did not (superseded, closed, or the fit failed). */
    private boolean fit(DeviceId id, Commissioning c, long generation, boolean persist) {
        if (closed || generations.get(id) != generation) {
            return false; // a newer set of this device is queued
        }
        if (persist && store != null) {
            try {
                store.save(c);
            } catch (UncheckedIOException e) {
                LOG.warn("{}: {} (the hub will not refit this device after a restart)", e.getMessage(),
                        e.getCause().toString());
            }
        }
        long t0 = System.nanoTime();
        FittedDevice fitted;
        try {
            fitted = DeviceFitter.fit(c, settings);
        } catch (RuntimeException e) {
            metrics.failed("cannot fit the models of " + id, e);
            return false;
        }
        TinyModel tiny = fitted.tiny();
        LargeModel large = fitted.large();
        synchronized (this) {
            if (closed || generations.get(id) != generation) {
                large.close();
                return false;
            }
            DeviceModels models = new DeviceModels(tiny, large, c.deviceClass(), Instant.now());
            fleet.install(id, models).ifPresent(old -> retire.accept(old.large()));
        }
        long nanos = System.nanoTime() - t0;
        metrics.modelFitted(nanos);
        LOG.info("fitted {}: {} ({} params) and {} ({} params, context {}) in {} ms", id, tiny.version(),
                tiny.parameterCount(), large.version(), large.parameterCount(), large.contextSize(),
                TimeUnit.NANOSECONDS.toMillis(nanos));
        publish(id);
        return true;
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
        String parent = parents.get(id);
        ModelAssignment a = signer.assign(id.site(), id.device(), m.deviceClass(), nextGeneration(id), m.tiny(),
                parent != null && !parent.equals(m.tiny().version()) ? parent : null, m.large().contextSize());
        String version = m.tiny().version();
        boolean handed = connection.publish(Topics.of(id.site(), id.device(), Topics.Kind.MODEL), Wire.encode(a),
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
