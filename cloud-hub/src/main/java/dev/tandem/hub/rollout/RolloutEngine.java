package dev.tandem.hub.rollout;

import dev.tandem.hub.HubConfig;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.fleet.FleetRegistry;
import dev.tandem.hub.fleet.ModelLineage;
import dev.tandem.hub.fleet.ModelRecord;
import dev.tandem.hub.mqtt.HubConnection;
import dev.tandem.hub.store.HubStore;
import dev.tandem.hub.store.Models;
import dev.tandem.hub.store.RolloutStore;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.signing.ManifestSigner;
import dev.tandem.shared.signing.ModelManifest;
import dev.tandem.shared.signing.RolloutRules;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyModelCodec;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.ModelState;
import dev.tandem.shared.wire.ShadowReport;
import dev.tandem.shared.wire.Wire;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the fleet's rollouts on its own Vert.x context (one event loop): plans them over the devices
 * the hub knows, sends each wave's devices their candidate (a signed manifest with the wave's
 * {@link RolloutRules}, retained on the device's {@code model} topic, as commissioning publishes a
 * model), follows the devices' {@code model/state} reports into their {@link DeviceAction}s, and
 * decides each wave by its {@link WaveGate}: the next wave on success, and on too many errors or a
 * timeout the fleet's rollback (every device sent back to its last good model with a higher
 * generation). Every change is kept in the store ({@link RolloutStore}) so that a restarted hub
 * resumes where it stood.
 *
 * <p>Nothing blocks the event loop: fitting, signing and publishing run on a small worker pool, the
 * store's writes on the context's ordered worker queue (in the order they were made).
 *
 * <p>Reports are matched to an action by the rollout id and generation of the manifest they are
 * about: others are stale (a late report of an earlier assignment), ignored and counted. A report of a
 * state the action cannot move to is refused ({@link ErrorCode#INVALID_STATE_TRANSITION}, counted and
 * logged rate-limited), the action unchanged. The one implicit step: a device that verifies an inline
 * artifact at once may skip DOWNLOADING.
 */
public final class RolloutEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutEngine.class);
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(10);
    private static final long TICK_MS = 500;
    private static final long RETRY_MS = 2_000;
    /** Most devices prepared (fitted, signed, published) at once. */
    private static final int PREPARE_PARALLEL = 64;

    /** What the API asks for. */
    public record Request(String name, RolloutChange change, RolloutTarget target, WavePlan plan,
                          RolloutSettings settings, boolean start) {
        public Request {
            Objects.requireNonNull(change, "change");
            Objects.requireNonNull(target, "target");
            plan = plan == null ? WavePlan.defaults() : plan;
            settings = settings == null ? RolloutSettings.defaults() : settings;
        }
    }

    /** A rollout as it stands: counts by state (all and per wave), and a page of its actions. */
    public record View(Rollout rollout, RolloutSettings settings, Instant waveStartedAt,
                       Map<ActionState, Integer> counts, List<Map<ActionState, Integer>> waveCounts, int total,
                       List<ActionRecord> actions, Map<DeviceId, ShadowReport> shadow) {
    }

    /** A rollout under way. */
    private static final class Live {
        /** Changed on the context; read by the commissioning's threads ({@link #holdsAssignment}). */
        volatile Rollout rollout;
        final RolloutSettings settings;
        Instant waveStartedAt;
        final Map<DeviceId, ActionRecord> actions = new LinkedHashMap<>();
        final List<Map<ActionState, Integer>> counts = new ArrayList<>();
        final Map<DeviceId, ShadowReport> shadow = new ConcurrentHashMap<>();
        /** Devices being prepared or sent back right now. */
        final java.util.Set<DeviceId> busy = new java.util.HashSet<>();
        int preparing;

        Live(Rollout rollout, RolloutSettings settings, Instant waveStartedAt, List<ActionRecord> all) {
            this.rollout = rollout;
            this.settings = settings;
            this.waveStartedAt = waveStartedAt;
            for (int i = 0; i < rollout.waves().size(); i++) {
                Map<ActionState, Integer> c = new EnumMap<>(ActionState.class);
                for (ActionState s : ActionState.values()) {
                    c.put(s, 0);
                }
                counts.add(c);
            }
            for (ActionRecord a : all) {
                actions.put(a.action().device(), a);
                counts.get(a.action().wave()).merge(a.action().state(), 1, Integer::sum);
            }
        }

        void replace(ActionRecord before, ActionRecord after) {
            actions.put(after.action().device(), after);
            Map<ActionState, Integer> c = counts.get(after.action().wave());
            c.merge(before.action().state(), -1, Integer::sum);
            c.merge(after.action().state(), 1, Integer::sum);
        }

        Map<ActionState, Integer> total() {
            Map<ActionState, Integer> out = new EnumMap<>(ActionState.class);
            for (Map<ActionState, Integer> c : counts) {
                c.forEach((s, n) -> out.merge(s, n, Integer::sum));
            }
            return out;
        }
    }

    private final HubConfig config;
    private final HubStore store;
    private final FleetRegistry fleet;
    private final ModelLineage lineage;
    private final HubConnection connection;
    private final HubMetrics metrics;
    private final Clock clock;
    private final Recipes recipes;
    private final ManifestSigner signer;
    private final Vertx vertx;
    private final Context ctx;
    private final WorkerExecutor workers;
    private final long tick;
    /** The rollouts under way (changed on the context only; concurrent for the metrics' reads). */
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    /** Each device's newest action that was sent a candidate (read by other threads: the commissioning's). */
    private final Map<DeviceId, ActionRecord> standing = new ConcurrentHashMap<>();
    /** Devices in a rollout under way, and which (read by other threads). */
    private final Map<DeviceId, String> engaged = new ConcurrentHashMap<>();
    private final Map<DeviceId, Long> issued = new ConcurrentHashMap<>();
    private final Counter applied;
    private final Counter stale;
    private final Counter refused;
    private final Map<RolloutState, Counter> ended = new EnumMap<>(RolloutState.class);
    private volatile boolean closed;

    private volatile dev.tandem.hub.delivery.ArtifactServer artifacts;

    /** Where the artifacts of the manifests go for the devices to fetch in chunks (null: published inline). */
    public void deliverWith(dev.tandem.hub.delivery.ArtifactServer server) {
        this.artifacts = server;
    }

    public RolloutEngine(HubConfig config, HubStore store, FleetRegistry fleet, ModelLineage lineage,
                         HubConnection connection, HubMetrics metrics) {
        this(config, store, fleet, lineage, connection, metrics, Clock.systemUTC());
    }

    RolloutEngine(HubConfig config, HubStore store, FleetRegistry fleet, ModelLineage lineage,
                  HubConnection connection, HubMetrics metrics, Clock clock) {
        this.config = config;
        this.store = store;
        this.fleet = fleet;
        this.lineage = lineage;
        this.connection = connection;
        this.metrics = metrics;
        this.clock = clock;
        this.recipes = new Recipes(config.fitSettings());
        this.signer = new ManifestSigner(config.signingKey());
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
        this.ctx = vertx.getOrCreateContext();
        this.workers = vertx.createSharedWorkerExecutor("tandem-rollout-" + config.instanceId(),
                Math.max(1, config.fitThreads()), 2, TimeUnit.MINUTES);
        var registry = metrics.registry();
        applied = Counter.builder("tandem.hub.rollout.reports").tag("outcome", "applied")
                .description("model/state reports of rollout actions").register(registry);
        stale = Counter.builder("tandem.hub.rollout.reports").tag("outcome", "stale").register(registry);
        refused = Counter.builder("tandem.hub.rollout.reports").tag("outcome", ErrorCode.INVALID_STATE_TRANSITION.name())
                .register(registry);
        for (RolloutState s : RolloutState.values()) {
            if (!s.isTerminal()) {
                Gauge.builder("tandem.hub.rollouts", this, e -> e.liveIn(s)).tag("state", s.name())
                        .description("rollouts under way by state").register(registry);
            }
        }
        for (RolloutState s : RolloutState.values()) {
            if (s.isTerminal()) {
                ended.put(s, Counter.builder("tandem.hub.rollouts.ended").tag("state", s.name())
                        .description("rollouts that ended, by how").register(registry));
            }
        }
        for (ActionState s : ActionState.values()) {
            Gauge.builder("tandem.hub.rollout.actions", this, e -> e.actionsIn(s)).tag("state", s.name())
                    .description("actions of the rollouts under way by state").register(registry);
        }
        this.tick = vertx.setPeriodic(TICK_MS, id -> {
            for (Live l : List.copyOf(live.values())) {
                switch (l.rollout.state()) {
                    case RUNNING -> {
                        launch(l);
                        evaluate(l);
                    }
                    case PAUSED -> evaluate(l);
                    case STOPPED -> rollBack(l);
                    default -> {
                    }
                }
            }
        });
    }

    // ---------------------------------------------------------------- start-up

    /**
     * Reads the rollouts not finished and each device's standing (blocking: call it before the hub
     * restores its devices, so that {@link #holdsAssignment} knows them). {@link #resume()} goes on with them.
     */
    public void load() {
        Map<DeviceId, ActionRecord> s = store.rollouts().standing();
        List<RolloutStore.StoredRollout> unfinished = store.rollouts().unfinished();
        await(call(() -> {
            standing.putAll(s);
            for (RolloutStore.StoredRollout r : unfinished) {
                Live l = new Live(r.rollout(), r.settings(), r.waveStartedAt(), store.rollouts()
                        .actions(r.rollout().id(), 0, Integer.MAX_VALUE));
                live.put(r.rollout().id(), l);
                l.actions.keySet().forEach(d -> engaged.put(d, r.rollout().id()));
                LOG.info("rollout {} ({}): {} at wave {} of {}, {} devices; resumed once the devices are loaded",
                        r.rollout().id(), r.rollout().name(), r.rollout().state(), r.rollout().currentWave() + 1,
                        r.rollout().waves().size(), l.actions.size());
            }
            return null;
        }));
    }

    /** Goes on with the rollouts {@link #load()} read (once the hub's devices and their models are loaded). */
    public void resume() {
        ctx.runOnContext(v -> {
            for (Live l : List.copyOf(live.values())) {
                switch (l.rollout.state()) {
                    case RUNNING -> {
                        launch(l);
                        evaluate(l);
                    }
                    case STOPPED -> rollBack(l);
                    default -> {
                    }
                }
            }
        });
    }

    /**
     * Whether the device's retained assignment is this engine's to make: it is in a rollout under way,
     * or ({@code restoring}, a restarted hub republishing its devices' models) its last rollout left it on
     * that rollout's model. Called from the commissioning's threads.
     */
    public boolean holdsAssignment(DeviceId id, boolean restoring) {
        String rollout = engaged.get(id);
        Live l = rollout == null ? null : live.get(rollout);
        if (l != null && l.rollout.state() != RolloutState.READY) {
            return true; // a READY rollout has sent nothing yet: the device's own models go out as before
        }
        ActionRecord a = standing.get(id);
        return restoring && a != null && a.action().state() == ActionState.ACTIVE && !a.sentBack();
    }

    // ---------------------------------------------------------------- commands

    public Future<Rollout> create(Request req, String operator) {
        return call(() -> {
            String id = "r-" + HexFormat.of().formatHex(randomBytes());
            Rollout r = Rollout.plan(id, req.name() == null || req.name().isBlank() ? id : req.name(), req.change(),
                    req.target(), req.plan(), known(), operator, now());
            for (Wave w : r.waves()) {
                for (DeviceId d : w.devices()) {
                    String other = engaged.get(d);
                    if (other != null) {
                        throw TandemException.invalid("device " + d + " is already in rollout " + other
                                + " (pause, abort or let it finish first)");
                    }
                }
            }
            return r;
        }).compose(r -> checkChange(r.change()).map(r))
                .compose(r -> {
                    List<ActionRecord> actions = r.scheduledActions().stream().map(ActionRecord::of).toList();
                    for (ActionRecord a : actions) {
                        String other = engaged.putIfAbsent(a.action().device(), r.id());
                        if (other != null) {
                            actions.stream().filter(x -> r.id().equals(engaged.get(x.action().device())))
                                    .forEach(x -> engaged.remove(x.action().device()));
                            return Future.failedFuture(TandemException.invalid("device " + a.action().device()
                                    + " is already in rollout " + other));
                        }
                    }
                    return ctx.executeBlocking(() -> {
                        store.rollouts().create(r, req.settings(), actions, now());
                        return actions;
                    }, true).map(a -> {
                        live.put(r.id(), new Live(r, req.settings(), null, a));
                        LOG.info("rollout {} ({}) planned by {}: {} {} for {} devices in {} waves {}", r.id(), r.name(),
                                operator, r.change().kind(), r.change().ref(), r.deviceCount(), r.waves().size(),
                                r.waves().stream().map(Wave::reach).toList());
                        return r;
                    }).onFailure(e -> actions.forEach(x -> engaged.remove(x.action().device(), r.id())));
                })
                .compose(r -> req.start() ? start(r.id()) : Future.succeededFuture(r));
    }

    public Future<Rollout> start(String id) {
        return command(id, l -> {
            l.waveStartedAt = now();
            move(l, RolloutState.RUNNING, null, "started");
            launch(l);
        });
    }

    public Future<Rollout> pause(String id) {
        return command(id, l -> move(l, RolloutState.PAUSED, null, "paused by command"));
    }

    /** Resumes a paused rollout; its current wave's timeout runs again from now. */
    public Future<Rollout> resume(String id) {
        return command(id, l -> {
            l.waveStartedAt = now();
            move(l, RolloutState.RUNNING, null, "resumed by command");
            launch(l);
            evaluate(l);
        });
    }

    /** Ends a rollout: devices not yet ACTIVE are CANCELED (and sent back if they had the candidate); ACTIVE ones keep it. */
    public Future<Rollout> abort(String id) {
        return command(id, l -> {
            move(l, RolloutState.ABORTED, null, "aborted by command");
            List<ActionRecord> changed = new ArrayList<>();
            List<RolloutStore.Transition> why = new ArrayList<>();
            for (ActionRecord a : List.copyOf(l.actions.values())) {
                ActionState s = a.action().state();
                if (s.isTerminal() || s == ActionState.ACTIVE) {
                    continue;
                }
                ActionRecord next = a.with(a.action().moveTo(ActionState.CANCELED, now()));
                apply(l, a, next, null, "rollout aborted", changed, why);
            }
            store(changed, why);
            for (ActionRecord a : List.copyOf(l.actions.values())) {
                if (a.sent() && !a.sentBack() && a.action().state() != ActionState.ACTIVE) {
                    sendBack(l, a, "rollout " + l.rollout.id() + " aborted");
                }
            }
            retire(l);
        });
    }

    private Future<Rollout> command(String id, Consumer<Live> body) {
        return call(() -> {
            Live l = live.get(id);
            if (l == null) {
                return null;
            }
            body.accept(l);
            return l.rollout;
        }).compose(r -> r != null ? Future.succeededFuture(r) : ctx.executeBlocking(() -> {
            RolloutStore.StoredRollout kept = store.rollouts().find(id).orElseThrow(() -> new TandemException(
                    ErrorCode.NOT_FOUND, "no rollout " + id));
            throw new TandemException(ErrorCode.INVALID_STATE_TRANSITION, "rollout " + id + " is "
                    + kept.rollout().state() + ": it has ended");
        }, true));
    }

    // ---------------------------------------------------------------- reading

    /** A rollout as it stands, with {@code limit} of its actions from {@code offset} (device order). */
    public Future<View> view(String id, int offset, int limit) {
        return call(() -> {
            Live l = live.get(id);
            if (l == null) {
                return null;
            }
            List<ActionRecord> all = new ArrayList<>(l.actions.values());
            all.sort(java.util.Comparator.comparing((ActionRecord a) -> a.action().device().site())
                    .thenComparing(a -> a.action().device().device()));
            List<ActionRecord> page = all.subList(Math.min(offset, all.size()), Math.min(all.size(),
                    (int) Math.min((long) offset + limit, Integer.MAX_VALUE)));
            Map<DeviceId, ShadowReport> shadow = new LinkedHashMap<>();
            page.forEach(a -> Optional.ofNullable(l.shadow.get(a.action().device())).ifPresent(s ->
                    shadow.put(a.action().device(), s)));
            List<Map<ActionState, Integer>> waves = l.counts.stream().map(m -> (Map<ActionState, Integer>) new EnumMap<>(m))
                    .toList();
            return new View(l.rollout, l.settings, l.waveStartedAt, l.total(), waves, all.size(), List.copyOf(page),
                    shadow);
        }).compose(v -> v != null ? Future.succeededFuture(v) : ctx.executeBlocking(() -> {
            RolloutStore.StoredRollout r = store.rollouts().find(id).orElseThrow(() -> new TandemException(
                    ErrorCode.NOT_FOUND, "no rollout " + id));
            List<ActionRecord> all = store.rollouts().actions(id, 0, Integer.MAX_VALUE);
            Live l = new Live(r.rollout(), r.settings(), r.waveStartedAt(), all);
            List<ActionRecord> page = all.subList(Math.min(offset, all.size()), Math.min(all.size(),
                    (int) Math.min((long) offset + limit, Integer.MAX_VALUE)));
            return new View(r.rollout(), r.settings(), r.waveStartedAt(), l.total(), l.counts, all.size(),
                    List.copyOf(page), Map.of());
        }, true)); // ordered: after the writes already queued
    }

    /** Every rollout, newest first, each with its counts by state. */
    public Future<List<View>> list() {
        return ctx.executeBlocking(() -> {
            List<View> out = new ArrayList<>();
            for (RolloutStore.StoredRollout r : store.rollouts().list()) {
                Live l = new Live(r.rollout(), r.settings(), r.waveStartedAt(), List.of());
                out.add(new View(r.rollout(), r.settings(), r.waveStartedAt(), store.rollouts().counts(r.rollout().id()),
                        l.counts, r.rollout().deviceCount(), List.of(), Map.of()));
            }
            return out;
        }, true);
    }

    /** The recipes a rollout may name. */
    public Recipes recipes() {
        return recipes;
    }

    // ---------------------------------------------------------------- reports

    /** A device's {@code model/state} report (any thread): applied on the engine's context. */
    public void offer(ModelState s) {
        if (s.rollout() == null || closed) {
            return; // not about a rollout's manifest
        }
        ctx.runOnContext(v -> onReport(s));
    }

    private void onReport(ModelState s) {
        DeviceId id = new DeviceId(s.site(), s.device());
        Live l = live.get(s.rollout());
        ActionRecord a = l != null ? l.actions.get(id) : standing.get(id);
        if (a == null || !a.action().rolloutId().equals(s.rollout()) || !a.sent() || s.generation() == null
                || s.generation().longValue() != a.generation() || a.sentBack()) {
            stale.increment();
            LOG.debug("stale report of {} about rollout {} generation {}: ignored", id, s.rollout(), s.generation());
            return;
        }
        ActionState target = ActionState.valueOf(s.state().name());
        ActionState at = a.action().state();
        if (target == at) {
            if (s.shadow() != null && l != null) {
                l.shadow.put(id, s.shadow());
            }
            return; // the same state again (shadow figures growing)
        }
        List<ActionState> path;
        if (at.canMoveTo(target)) {
            path = List.of(target);
        } else if (at == ActionState.SCHEDULED && ActionState.DOWNLOADING.canMoveTo(target)) {
            path = List.of(ActionState.DOWNLOADING, target);
        } else {
            metrics.error(ErrorCode.INVALID_STATE_TRANSITION, id + " reported " + target + " in rollout " + s.rollout()
                    + " from " + at + " (from " + at + ": " + (at.next().isEmpty() ? "none, it is final" : at.next())
                    + "): refused, the action unchanged");
            refused.increment();
            return;
        }
        applied.increment();
        if (s.shadow() != null && l != null) {
            l.shadow.put(id, s.shadow());
        }
        List<ActionRecord> changed = new ArrayList<>();
        List<RolloutStore.Transition> why = new ArrayList<>();
        ActionRecord current = a;
        for (ActionState step : path) {
            boolean last = step == target;
            ErrorCode code = last ? s.code() : null;
            String reason = last ? s.reason() : null;
            ActionRecord next = current.with(current.action().moveTo(step, now(), code, reason));
            apply(l, current, next, code, reason == null && step != target ? "skipped by the device" : reason,
                    changed, why);
            current = next;
        }
        store(changed, why);
        LOG.info("{} in rollout {}: {} -> {}{}", id, s.rollout(), at, target, s.reason() == null ? ""
                : " (" + (s.code() == null ? "" : s.code() + ": ") + s.reason() + ")");
        if (target == ActionState.ROLLED_BACK || target == ActionState.FAILED) {
            // the retained assignment must no longer name the candidate the device refused or went back from
            sendBack(l, current, id + " " + target + (s.code() == null ? "" : " [" + s.code() + "]"));
        }
        if (l != null) {
            evaluate(l);
        }
    }

    // ---------------------------------------------------------------- waves

    private void evaluate(Live l) {
        RolloutState state = l.rollout.state();
        if (closed || (state != RolloutState.RUNNING && state != RolloutState.PAUSED) || l.rollout.currentWave() < 0) {
            return;
        }
        Wave wave = l.rollout.waves().get(l.rollout.currentWave());
        WaveProgress p = settled(l, wave);
        Instant started = l.waveStartedAt == null ? now() : l.waveStartedAt;
        WaveProgress.Decision d = p.decide(wave.gate(), started, now());
        if (state == RolloutState.PAUSED && d != WaveProgress.Decision.STOP) {
            return;
        }
        switch (d) {
            case PROMOTE -> {
                if (wave.index() + 1 == l.rollout.waves().size()) {
                    move(l, RolloutState.FINISHED, null, "wave " + (wave.index() + 1) + " of "
                            + l.rollout.waves().size() + " promoted: " + p.count(ActionState.ACTIVE) + " of "
                            + wave.devices().size() + " ACTIVE");
                    retire(l);
                } else {
                    l.rollout = l.rollout.nextWave();
                    l.waveStartedAt = now();
                    persist(l, new RolloutStore.Transition(l.rollout.id(), null, RolloutState.RUNNING.name(),
                            RolloutState.RUNNING.name(), now(), null, "wave " + (wave.index() + 1) + " promoted ("
                            + p.count(ActionState.ACTIVE) + " of " + wave.devices().size() + " ACTIVE); wave "
                            + (wave.index() + 2) + " started"));
                    LOG.info("rollout {}: wave {} promoted; wave {} of {} started ({} devices)", l.rollout.id(),
                            wave.index() + 1, wave.index() + 2, l.rollout.waves().size(),
                            l.rollout.waves().get(wave.index() + 1).devices().size());
                    launch(l);
                }
            }
            case STOP -> {
                move(l, RolloutState.STOPPED, null, String.format(java.util.Locale.ROOT,
                        "wave %d: %d of %d devices FAILED or ROLLED_BACK (%.1f%%, more than the %.1f%% allowed)",
                        wave.index() + 1, p.count(ActionState.FAILED) + p.count(ActionState.ROLLED_BACK),
                        wave.devices().size(), 100 * p.errorShare(), 100 * wave.gate().errorThreshold()));
                rollBack(l);
            }
            case TIMED_OUT -> {
                metrics.error(ErrorCode.ROLLOUT_TIMEOUT, "rollout " + l.rollout.id() + ": wave " + (wave.index() + 1)
                        + " reached " + p.count(ActionState.ACTIVE) + " of " + wave.devices().size()
                        + " ACTIVE within " + wave.gate().timeout() + "; rolling back");
                move(l, RolloutState.STOPPED, ErrorCode.ROLLOUT_TIMEOUT, "wave " + (wave.index() + 1) + " timed out after "
                        + wave.gate().timeout() + " with " + p.count(ActionState.ACTIVE) + " of "
                        + wave.devices().size() + " ACTIVE");
                rollBack(l);
            }
            case WAIT -> {
            }
        }
    }

    /**
     * The wave's counts, where a device counts as ACTIVE (towards the success threshold) once it has run
     * the candidate for the rollout's watch time: until then its watchdog may still send it back.
     */
    private WaveProgress settled(Live l, Wave wave) {
        Map<ActionState, Integer> counts = new EnumMap<>(l.counts.get(wave.index()));
        int active = counts.get(ActionState.ACTIVE);
        if (active > 0 && !l.settings.watch().isZero()) {
            Instant settledBefore = now().minus(l.settings.watch());
            int settled = 0;
            for (DeviceId d : wave.devices()) {
                DeviceAction a = l.actions.get(d).action();
                if (a.state() == ActionState.ACTIVE && !a.since().isAfter(settledBefore)) {
                    settled++;
                }
            }
            counts.put(ActionState.ACTIVE, settled);
        }
        return new WaveProgress(wave.devices().size(), counts);
    }

    /** Sends the current wave's devices not yet sent their candidate. */
    private void launch(Live l) {
        if (l.rollout.state() != RolloutState.RUNNING || closed) {
            return;
        }
        Wave wave = l.rollout.waves().get(l.rollout.currentWave());
        for (DeviceId d : wave.devices()) {
            if (l.preparing >= PREPARE_PARALLEL) {
                return; // the rest once these are out
            }
            ActionRecord a = l.actions.get(d);
            if (a.sent() || a.action().state() != ActionState.SCHEDULED || !l.busy.add(d)) {
                continue;
            }
            l.preparing++;
            Prepared.Input in = new Prepared.Input(l.rollout.id(), d, l.rollout.change(), l.settings.rules(l.rollout.id(),
                    wave.gate()), lastGood(d));
            workers.executeBlocking(() -> prepare(in), false).onComplete(ar -> {
                l.busy.remove(d);
                l.preparing--;
                sent(l, d, ar.succeeded() ? ar.result() : null, ar.cause());
                launch(l);
            });
        }
    }

    /** What the hub sends one device: made off the event loop. */
    record Prepared(long generation, String candidateVersion, String candidateSha, String previousVersion,
                    String previousSha, boolean alreadyOn, ModelAssignment assignment, ModelRecord lineage) {
        record Input(String rollout, DeviceId device, RolloutChange change, RolloutRules rules, LastGood previous) {
        }
    }

    /** The model a device runs when no rollout changes it: its version and the artifact's sha256 in the store (null: the fleet's model, not kept yet). */
    record LastGood(String version, String sha256) {
    }

    private LastGood lastGood(DeviceId d) {
        ActionRecord a = standing.get(d);
        Optional<ModelRecord> assigned = lineage.current(d);
        long standingGen = a == null ? 0 : Math.max(a.generation(), a.rollbackGeneration() == null ? 0 : a.rollbackGeneration());
        if (a == null || (assigned.isPresent() && assigned.get().generation() > standingGen)) {
            return null; // the fleet's model (commissioned or re-baselined since)
        }
        return a.action().state() == ActionState.ACTIVE && !a.sentBack()
                ? new LastGood(a.candidateVersion(), a.candidateSha256())
                : new LastGood(a.previousVersion(), a.previousSha256());
    }

    private Prepared prepare(Prepared.Input in) {
        DeviceId d = in.device();
        DeviceModels models = fleet.models(d).orElseThrow(() -> new TandemException(ErrorCode.UNKNOWN_DEVICE,
                d + " has no models loaded on this hub"));
        long now = clock.millis();
        String previousVersion;
        String previousSha;
        if (in.previous() == null || in.previous().sha256() == null) {
            byte[] bytes = TinyModelCodec.encode(models.tiny());
            previousVersion = models.tiny().version();
            previousSha = store.rollouts().putArtifact(models.tiny().format(), bytes, now);
        } else {
            previousVersion = in.previous().version();
            previousSha = in.previous().sha256();
        }
        TinyModel candidate = candidate(in.change(), d);
        if (candidate.channels() != models.tiny().channels()) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "candidate " + candidate.version() + " reads "
                    + candidate.channels() + " channels, " + d + " has " + models.tiny().channels());
        }
        byte[] bytes = TinyModelCodec.encode(candidate);
        String sha = store.rollouts().putArtifact(candidate.format(), bytes, now);
        if (candidate.version().equals(previousVersion)) {
            return new Prepared(0, candidate.version(), sha, previousVersion, previousSha, true, null, null);
        }
        long generation = nextGeneration(d);
        ModelManifest manifest = ModelManifest.of(d.site(), d.device(), models.deviceClass(), generation,
                TinyModelCodec.manifest(candidate, bytes), previousVersion).withRules(in.rules());
        ModelAssignment assignment = ModelAssignment.of(d.site(), d.device(), signer.sign(manifest), bytes,
                models.large().contextSize());
        record(d, generation, candidate.version(), assignment);
        ModelRecord assigned = new ModelRecord(d, candidate.version(), previousVersion, generation, models.deviceClass(),
                Instant.ofEpochMilli(now), Instant.ofEpochMilli(now), models.large().version(), candidate.parameterCount(),
                models.large().parameterCount());
        return new Prepared(generation, candidate.version(), sha, previousVersion, previousSha, false, assignment,
                assigned);
    }

    private TinyModel candidate(RolloutChange change, DeviceId d) {
        return switch (change.kind()) {
            case RECIPE -> {
                Commissioning set = store.commissioning().latest(d.site(), d.device())
                        .orElseThrow(() -> new TandemException(ErrorCode.INVALID_FIELD, d
                                + " has no commissioning set in the store to fit the recipe on")).set();
                yield recipes.resolve(change.ref()).fit(set);
            }
            case ARTIFACT -> TinyModelCodec.decode(store.rollouts().tinyArtifact(change.ref())
                    .orElseThrow(() -> new TandemException(ErrorCode.INVALID_FIELD, "no tiny model " + change.ref()
                            + " in the store")).getValue());
            case POLICY -> Policies.resolve(change.ref()).apply(fleet.models(d).orElseThrow(() -> new TandemException(
                    ErrorCode.UNKNOWN_DEVICE, d + " has no models loaded on this hub")).tiny());
        };
    }

    /** On the context: the device's candidate is out (or could not be made). */
    private void sent(Live l, DeviceId d, Prepared p, Throwable failure) {
        ActionRecord a = l.actions.get(d);
        if (a == null || a.sent()) {
            return;
        }
        boolean ongoing = l.rollout.state() == RolloutState.RUNNING || l.rollout.state() == RolloutState.PAUSED;
        List<ActionRecord> changed = new ArrayList<>();
        List<RolloutStore.Transition> why = new ArrayList<>();
        if (p == null) {
            if (a.action().state() == ActionState.SCHEDULED) {
                String reason = "no candidate made for " + d + ": " + (failure == null ? "?" : failure.getMessage());
                ErrorCode code = failure instanceof TandemException te ? te.code() : ErrorCode.INTERNAL_ERROR;
                metrics.error(code, "rollout " + l.rollout.id() + ": " + reason);
                apply(l, a, a.with(a.action().moveTo(ActionState.CANCELED, now(), null, clip(reason))), code, reason,
                        changed, why);
            }
        } else if (p.alreadyOn()) {
            if (a.action().state() == ActionState.SCHEDULED && ongoing) {
                ActionRecord current = new ActionRecord(a.action(), null, p.candidateVersion(), p.candidateSha(),
                        p.previousVersion(), p.previousSha(), null);
                for (ActionState s : List.of(ActionState.DOWNLOADING, ActionState.VERIFYING, ActionState.ACTIVE)) {
                    ActionRecord next = current.with(current.action().moveTo(s, now()));
                    apply(l, current, next, null, "already runs " + p.candidateVersion() + ": nothing sent", changed,
                            why);
                    current = next;
                }
            }
        } else if (a.action().state() != ActionState.SCHEDULED || !ongoing) {
            return; // stopped or aborted meanwhile: the candidate is not sent
        } else {
            // recorded before it is published, so that the device's first report finds it
            ActionRecord next = a.sent(p.generation(), p.candidateVersion(), p.candidateSha(), p.previousVersion(),
                    p.previousSha());
            l.replace(a, next);
            standing.put(d, next);
            changed.add(next);
            store(changed, why);
            publishCandidate(l, next, p.assignment(), p.lineage());
            return;
        }
        store(changed, why);
        evaluate(l);
    }

    /** Publishes a candidate recorded as sent; the broker away: again every few seconds while it is still due. */
    private void publishCandidate(Live l, ActionRecord a, ModelAssignment assignment, ModelRecord assigned) {
        DeviceId d = a.action().device();
        String what = "candidate " + a.candidateVersion() + " of rollout " + a.action().rolloutId();
        workers.executeBlocking(() -> publish(d, assignment, what), false).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                lineage.assigned(assigned);
                return;
            }
            vertx.setTimer(RETRY_MS, t -> {
                ActionRecord now = l.actions.get(d);
                boolean due = now != null && now.sent() && !now.sentBack() && now.generation().equals(a.generation())
                        && now.action().state() == ActionState.SCHEDULED && l.rollout.state() == RolloutState.RUNNING;
                if (due && !closed) {
                    publishCandidate(l, now, assignment, assigned);
                }
            });
        });
    }

    // ---------------------------------------------------------------- rollback

    /** Stopped: every device of the rollout not on its last good model is sent back to it; then ROLLED_BACK. */
    private void rollBack(Live l) {
        List<ActionRecord> changed = new ArrayList<>();
        List<RolloutStore.Transition> why = new ArrayList<>();
        String reason = "fleet rollback: rollout " + l.rollout.id() + " stopped";
        for (ActionRecord a : List.copyOf(l.actions.values())) {
            ActionState s = a.action().state();
            if (s.isTerminal()) {
                continue;
            }
            ActionState to = s == ActionState.ACTIVE || s == ActionState.SHADOW ? ActionState.ROLLED_BACK : ActionState.CANCELED;
            if (s == ActionState.ACTIVE && !a.sent()) {
                continue; // it already ran this model before the rollout: its last good model
            }
            ActionRecord next = a.with(a.action().moveTo(to, now(), null, to == ActionState.ROLLED_BACK ? reason : null));
            apply(l, a, next, null, reason, changed, why);
        }
        store(changed, why);
        for (ActionRecord a : List.copyOf(l.actions.values())) {
            if (a.sent() && !a.sentBack() && !l.busy.contains(a.action().device())) {
                sendBack(l, a, reason);
            }
        }
        finishRollback(l);
    }

    private void finishRollback(Live l) {
        if (l.rollout.state() != RolloutState.STOPPED || !l.busy.isEmpty() || l.preparing > 0) {
            return;
        }
        for (ActionRecord a : l.actions.values()) {
            if (a.sent() && !a.sentBack()) {
                return; // a send-back still to be made (e.g. the broker away): retried on the next tick
            }
        }
        move(l, RolloutState.ROLLED_BACK, null, "every device of the rollout sent back to its last good model");
        retire(l);
    }

    /** Publishes the device's previous model with a higher generation (no rules: activate at once). */
    private void sendBack(Live l, ActionRecord a, String reason) {
        DeviceId d = a.action().device();
        if (l != null && !l.busy.add(d)) {
            return;
        }
        workers.executeBlocking(() -> {
            DeviceModels models = fleet.models(d).orElseThrow(() -> new TandemException(ErrorCode.UNKNOWN_DEVICE,
                    d + " has no models loaded on this hub"));
            byte[] bytes = store.models().artifact(a.previousSha256()).orElseThrow(() -> new TandemException(
                    ErrorCode.ARTIFACT_INVALID, "the previous model " + a.previousVersion() + " of " + d
                    + " is not in the store"));
            TinyModel previous = TinyModelCodec.decode(bytes);
            long generation = nextGeneration(d);
            ModelManifest manifest = ModelManifest.of(d.site(), d.device(), models.deviceClass(), generation,
                    TinyModelCodec.manifest(previous, bytes), a.candidateVersion());
            ModelAssignment assignment = ModelAssignment.of(d.site(), d.device(), signer.sign(manifest), bytes,
                    models.large().contextSize());
            record(d, generation, previous.version(), assignment);
            long now = clock.millis();
            lineage.assigned(new ModelRecord(d, previous.version(), a.candidateVersion(), generation, models.deviceClass(),
                    Instant.ofEpochMilli(now), Instant.ofEpochMilli(now), models.large().version(),
                    previous.parameterCount(), models.large().parameterCount()));
            if (!publish(d, assignment, "previous model " + previous.version() + " (" + reason + ")")) {
                throw new TandemException(ErrorCode.BROKER_UNAVAILABLE, "not connected");
            }
            return generation;
        }, false).onComplete(ar -> {
            if (l != null) {
                l.busy.remove(d);
            }
            ActionRecord now = l != null ? l.actions.get(d) : standing.get(d);
            if (ar.failed()) {
                metrics.failed("rollout " + a.action().rolloutId() + ": " + d + " not sent back to "
                        + a.previousVersion() + " (retried)", ar.cause() instanceof RuntimeException r ? r
                        : new IllegalStateException(ar.cause()));
                if (!closed && (l == null || l.rollout.state() != RolloutState.STOPPED)) {
                    // a stopped rollout's tick sends back what is due; the others are tried again here
                    vertx.setTimer(RETRY_MS, t -> {
                        ActionRecord again = l != null ? l.actions.get(d) : standing.get(d);
                        if (again != null && again.sent() && !again.sentBack()) {
                            sendBack(l, again, reason);
                        }
                    });
                }
                return;
            }
            if (now != null && !now.sentBack()) {
                ActionRecord next = now.sentBack(ar.result());
                if (l != null) {
                    l.replace(now, next);
                }
                if (standing.get(d) == now || standing.get(d) == null) {
                    standing.put(d, next);
                }
                store(List.of(next), List.of());
            }
            if (l != null) {
                finishRollback(l);
            }
        });
    }

    // ---------------------------------------------------------------- helpers

    private void apply(Live l, ActionRecord before, ActionRecord after, ErrorCode code, String reason,
                       List<ActionRecord> changed, List<RolloutStore.Transition> why) {
        if (l != null) {
            l.replace(before, after);
        }
        if (after.sent() || standing.get(after.action().device()) == before) {
            standing.put(after.action().device(), after);
        }
        changed.add(after);
        why.add(new RolloutStore.Transition(after.action().rolloutId(), after.action().device(),
                before.action().state().name(), after.action().state().name(), after.action().since(), code,
                clip(reason)));
    }

    private void move(Live l, RolloutState to, ErrorCode code, String reason) {
        RolloutState from = l.rollout.state();
        l.rollout = l.rollout.moveTo(to);
        LOG.info("rollout {}: {} -> {} ({})", l.rollout.id(), from, to, reason);
        persist(l, new RolloutStore.Transition(l.rollout.id(), null, from.name(), to.name(), now(), code, clip(reason)));
    }

    private void persist(Live l, RolloutStore.Transition why) {
        Rollout r = l.rollout;
        Instant started = l.waveStartedAt;
        RolloutStore.Transition t = why != null ? why : new RolloutStore.Transition(r.id(), null, r.state().name(),
                r.state().name(), now(), null, "wave " + (r.currentWave() + 1) + " started");
        write(() -> store.rollouts().update(r, started, t));
    }

    private void store(List<ActionRecord> changed, List<RolloutStore.Transition> why) {
        if (changed.isEmpty() && why.isEmpty()) {
            return;
        }
        List<ActionRecord> a = List.copyOf(changed);
        List<RolloutStore.Transition> t = List.copyOf(why);
        write(() -> store.rollouts().updateActions(a, t));
    }

    /** A store write on the context's ordered worker queue (in the order made). */
    private void write(Runnable w) {
        ctx.executeBlocking(() -> {
            w.run();
            return null;
        }, true).onFailure(e -> metrics.failed("rollout store write", e instanceof RuntimeException r ? r
                : new IllegalStateException(e)));
    }

    /** A rollout ended: no longer under way (its devices' standing stays). */
    private void retire(Live l) {
        if (live.remove(l.rollout.id()) != null && ended.containsKey(l.rollout.state())) {
            ended.get(l.rollout.state()).increment();
        }
        l.actions.keySet().forEach(d -> engaged.remove(d, l.rollout.id()));
    }

    private Future<Void> checkChange(RolloutChange change) {
        return switch (change.kind()) {
            case RECIPE -> {
                recipes.resolve(change.ref());
                yield Future.succeededFuture();
            }
            case POLICY -> {
                Policies.resolve(change.ref());
                yield Future.succeededFuture();
            }
            case ARTIFACT -> ctx.executeBlocking(() -> {
                if (store.rollouts().tinyArtifact(change.ref()).isEmpty()) {
                    throw new TandemException(ErrorCode.INVALID_FIELD, "no tiny model " + change.ref() + " in the store");
                }
                return null;
            }, false);
        };
    }

    private Map<DeviceId, String> known() {
        Map<DeviceId, String> out = new LinkedHashMap<>();
        fleet.allModels().forEach((id, m) -> out.put(id, m.deviceClass()));
        return out;
    }

    /** Above every generation issued to the device (by any instance, kept in the store) and the time in ms. */
    private long nextGeneration(DeviceId d) {
        long kept = store.models().lastGeneration(d.site(), d.device()).orElse(0);
        return issued.merge(d, Math.max(kept + 1, clock.millis()), (last, n) -> Math.max(last + 1, n));
    }

    private void record(DeviceId d, long generation, String version, ModelAssignment a) {
        store.models().recordManifest(new Models.ManifestRecord(d.site(), d.device(), generation, version,
                signer.keyId(), Wire.encode(a.manifest()), clock.millis(), config.instanceId()));
    }

    /** Publishes retained, waiting (on a worker) for the broker's acknowledgement; whether it was delivered. */
    private boolean publish(DeviceId d, ModelAssignment a, String what) {
        java.util.concurrent.CompletableFuture<Throwable> done = new java.util.concurrent.CompletableFuture<>();
        dev.tandem.hub.delivery.ArtifactServer server = artifacts;
        ModelAssignment published = server == null ? a : server.publishable(d, a);
        boolean handed = connection.publish(Topics.of(d.site(), d.device(), Topics.Kind.MODEL), Wire.encode(published), 1, true,
                PUBLISH_WAIT, f -> done.complete(f));
        if (!handed) {
            metrics.error(ErrorCode.BROKER_UNAVAILABLE, what + " for " + d + " not published: not connected");
            return false;
        }
        try {
            Throwable f = done.get(PUBLISH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (f != null) {
                metrics.error(ErrorCode.BROKER_UNAVAILABLE, what + " for " + d + " not delivered: " + f.getMessage());
                return false;
            }
        } catch (Exception e) {
            metrics.error(ErrorCode.BROKER_UNAVAILABLE, what + " for " + d + " not acknowledged in " + PUBLISH_WAIT);
            return false;
        }
        metrics.modelPublished();
        LOG.info("published {} to {}", what, d);
        return true;
    }

    private int liveIn(RolloutState s) {
        int n = 0;
        for (Live l : List.copyOf(live.values())) {
            n += l.rollout.state() == s ? 1 : 0;
        }
        return n;
    }

    private int actionsIn(ActionState s) {
        int n = 0;
        for (Live l : List.copyOf(live.values())) {
            for (Map<ActionState, Integer> c : List.copyOf(l.counts)) {
                n += c.getOrDefault(s, 0);
            }
        }
        return n;
    }

    public long staleReports() {
        return (long) stale.count();
    }

    public long refusedReports() {
        return (long) refused.count();
    }

    public long appliedReports() {
        return (long) applied.count();
    }

    private Instant now() {
        return clock.instant();
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[4];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static String clip(String s) {
        return s == null || s.length() <= DeviceAction.MAX_REASON_CHARS ? s : s.substring(0, DeviceAction.MAX_REASON_CHARS);
    }

    /** Runs {@code body} on the context; its result or failure. */
    private <T> Future<T> call(java.util.concurrent.Callable<T> body) {
        Promise<T> p = Promise.promise();
        ctx.runOnContext(v -> {
            try {
                p.complete(body.call());
            } catch (Throwable e) {
                p.fail(e);
            }
        });
        return p.future();
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        vertx.cancelTimer(tick);
        try {
            workers.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("rollout workers not closed: {}", e.toString());
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing the rollout engine: {}", e.toString());
        }
    }
}
