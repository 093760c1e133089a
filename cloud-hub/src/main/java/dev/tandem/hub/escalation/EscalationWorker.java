package dev.tandem.hub.escalation;

import dev.tandem.hub.HubConfig;
import dev.tandem.hub.HubMetrics;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.fleet.DeviceModels;
import dev.tandem.hub.fleet.FleetRegistry;
import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.mqtt.HubConnection;
import dev.tandem.hub.rebaseline.Rebaseliner;
import dev.tandem.hub.store.EscalationLog;
import dev.tandem.hub.store.Escalations.EscalationRecord;
import dev.tandem.hub.verdict.VerdictScorer;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Turns escalations into verdicts. Paho's callback only enqueues the raw payload (so the broker
 * gets its ack at once and no backlog builds there); one worker thread drains up to
 * {@code batchMax} of them, waiting at most {@code batchLinger} for more once it has one, decodes
 * and checks them, groups them by device, judges each group with the device's large model in one
 * call ({@link VerdictScorer}) and publishes one {@link Verdict} per escalation (QoS 1).
 */
public final class EscalationWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EscalationWorker.class);
    /** An escalation carries at most a context of raw samples: far below the general payload limit. */
    public static final int MAX_ESCALATION_BYTES = 256 * 1024;
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(5);

    private record Inbound(Topics.DeviceTopic topic, byte[] payload, long arrivedNanos) {
    }

    private record Pending(Escalation escalation, byte[] payload, DeviceId device, DeviceModels models,
                           long arrivedNanos, long receivedAt) {
    }

    private final int batchMax;
    private final long lingerNanos;
    private final FleetRegistry fleet;
    private final HubConnection connection;
    private final HubMetrics metrics;
    private final BlockingQueue<Inbound> queue = new LinkedBlockingQueue<>();
    /** Most verdicts remembered by escalation id, so that a replayed escalation gets the same verdict, scored once. */
    static final int ANSWERED_CAPACITY = 20_000;
    /** Escalation (site/device/id) -> the verdict given, newest last; the worker thread's only. */
    private final Map<String, Verdict> answered = new java.util.LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Verdict> eldest) {
            return size() > ANSWERED_CAPACITY;
        }
    };
    /** Work that needs the scorer's state (the readings it holds), run on the worker thread between batches. */
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** What callers of {@link #withRecent} wait for: failed when the worker stops before running it. */
    private final java.util.Set<java.util.concurrent.CompletableFuture<?>> waiting =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<LargeModel> retired = new ConcurrentLinkedQueue<>();
    private final VerdictScorer scorer;
    private volatile Rebaseliner rebaseliner;
    private final EscalationLog log;
    private final String instanceId;
    private final BiConsumer<Escalation, Verdict> judged;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean busy;
    /** How long {@link #close()} waits for the escalations already received to be answered. */
    static final long DRAIN_MILLIS = 10_000;

    /** @param log where each escalation and its verdict are recorded (the hub's store) */
    public EscalationWorker(HubConfig config, FleetRegistry fleet, HubConnection connection, HubMetrics metrics,
                            EscalationLog log) {
        this(config, fleet, connection, metrics, log, (e, v) -> { });
    }

    /**
     * @param judged told of each escalation scored and its verdict (null: none) after the verdict went out,
     *               on the worker thread (it must return at once)
     */
    public EscalationWorker(HubConfig config, FleetRegistry fleet, HubConnection connection, HubMetrics metrics,
                            EscalationLog log, BiConsumer<Escalation, Verdict> judged) {
        this.log = log;
        this.judged = judged;
        this.instanceId = config.instanceId();
        this.batchMax = config.batchMax();
        this.lingerNanos = config.batchLinger().toNanos();
        this.fleet = fleet;
        this.connection = connection;
        this.metrics = metrics;
        this.scorer = new VerdictScorer(config.rebaseline().samples());
        this.thread = new Thread(this::run, "tandem-hub-verdicts-" + config.instanceId());
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MAX_PRIORITY);
        metrics.registry().gauge("tandem.hub.escalations.queued", queue, BlockingQueue::size);
    }

    public void start() {
        thread.start();
    }

    /** Paho callback: hands the payload over and returns. */
    public void offer(Topics.DeviceTopic topic, byte[] payload, long arrivedNanos) {
        metrics.escalationReceived();
        queue.add(new Inbound(topic, payload, arrivedNanos));
    }

    /** After each device's batch, asks {@code r} whether that device is due a re-baseline. */
    public void rebaselineWith(Rebaseliner r) {
        this.rebaseliner = r;
    }

    /**
     * Runs {@code f} on the worker thread between two batches with the device's recent readings the
     * hub holds (oldest first): how an operator's label reaches the re-baseline.
     */
    public <T> java.util.concurrent.CompletableFuture<T> withRecent(DeviceId id,
                                                                   java.util.function.Function<List<dev.tandem.shared.wire.Sample>, T> f) {
        java.util.concurrent.CompletableFuture<T> out = new java.util.concurrent.CompletableFuture<>();
        waiting.add(out);
        tasks.add(() -> {
            try {
                out.complete(f.apply(scorer.recent(id)));
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
            } finally {
                waiting.remove(out);
            }
        });
        if (!running) {
            stopped(out);
        }
        return out;
    }

    private static void stopped(java.util.concurrent.CompletableFuture<?> f) {
        f.completeExceptionally(new TandemException(ErrorCode.INTERNAL_ERROR,
                "the hub is stopping: its verdict worker stopped"));
    }

    /** A large model that was replaced: closed by the worker once no batch can be using it. */
    public void retire(LargeModel model) {
        retired.add(model);
    }

    /** Escalations waiting for the worker. */
    public int queued() {
        return queue.size();
    }

    private void run() {
        List<Inbound> batch = new ArrayList<>(batchMax);
        while (running) {
            closeRetired();
            for (Runnable t; (t = tasks.poll()) != null; ) {
                t.run();
            }
            try {
                Inbound first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + lingerNanos;
                while (batch.size() < batchMax) {
                    queue.drainTo(batch, batchMax - batch.size());
                    long left = deadline - System.nanoTime();
                    if (batch.size() >= batchMax || left <= 0) {
                        break;
                    }
                    Inbound next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                busy = true;
                process(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException e) {
                LOG.error("verdict worker: batch failed", e);
            } finally {
                busy = false;
                batch.clear();
            }
        }
        closeRetired();
    }

    private void closeRetired() {
        LargeModel m;
        while ((m = retired.poll()) != null) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.warn("closing replaced large model {}: {}", safeVersion(m), e.toString());
            }
        }
    }

    private void process(List<Inbound> batch) {
        long t0 = System.nanoTime();
        List<Pending> fresh = new ArrayList<>(batch.size());
        java.util.Set<String> inBatch = new java.util.HashSet<>();
        for (Inbound in : batch) {
            Pending p = check(in);
            if (p == null) {
                continue;
            }
            String key = key(p.escalation());
            Verdict given = answered.get(key);
            if (given != null || !inBatch.add(key)) {
                // a replay (the edge's outbox after a restart, a broker redelivery): the same answer, not a new one
                metrics.escalationRepeated();
                if (given != null) {
                    resend(p, given);
                }
                continue;
            }
            fresh.add(p);
        }
        // answered by another instance on the store, or by this one before a restart: the same answer again
        Map<String, Verdict> before = new java.util.HashMap<>();
        if (!fresh.isEmpty()) {
            for (Verdict v : log.answeredBefore(fresh.stream().map(Pending::escalation).toList())) {
                before.put(v.site() + "/" + v.device() + "/" + v.id(), v);
            }
        }
        Map<DeviceId, List<Pending>> byDevice = new LinkedHashMap<>();
        int valid = 0;
        for (Pending p : fresh) {
            Verdict given = before.get(key(p.escalation()));
            if (given != null) {
                metrics.escalationRepeated();
                answered.put(key(p.escalation()), given);
                resend(p, given);
                continue;
            }
            byDevice.computeIfAbsent(p.device(), k -> new ArrayList<>()).add(p);
            valid++;
        }
        if (valid == 0) {
            return;
        }
        metrics.batch(valid);
        long t1 = System.nanoTime();
        List<Scored> scored = new ArrayList<>(byDevice.size());
        for (Map.Entry<DeviceId, List<Pending>> group : byDevice.entrySet()) {
            Scored s = score(group.getKey(), group.getValue());
            if (s != null) {
                scored.add(s);
            }
        }
        long t2 = System.nanoTime();
        for (Scored s : scored) {
            publish(s);
        }
        Rebaseliner r = rebaseliner;
        if (r != null) {
            for (Scored s : scored) {
                r.consider(s.id(), scorer::recent, scorer.recentCount(s.id()));
            }
        }
        metrics.batchPhases(t1 - t0, t2 - t1, System.nanoTime() - t2);
    }

    private record Scored(DeviceId id, List<Pending> group, LargeModel large, List<VerdictScorer.Judgement> judgements) {
    }

    private Pending check(Inbound in) {
        try {
            Topics.DeviceTopic topic = in.topic();
            if (topic.kind() != Topics.Kind.ESCALATIONS) {
                throw new TandemException(ErrorCode.UNEXPECTED_TOPIC, "not an escalation topic: " + topic);
            }
            Escalation e = Wire.decode(in.payload(), Escalation.class, MAX_ESCALATION_BYTES);
            if (!topic.site().equals(e.site()) || !topic.device().equals(e.device())) {
                throw new TandemException(ErrorCode.DEVICE_MISMATCH, "escalation " + e.id() + " for "
                        + e.site() + "/" + e.device() + " arrived on " + Topics.of(topic.site(), topic.device(), topic.kind()));
            }
            DeviceId id = new DeviceId(e.site(), e.device());
            Optional<DeviceModels> models = fleet.models(id);
            if (models.isEmpty()) {
                throw new TandemException(ErrorCode.UNKNOWN_DEVICE, "escalation " + e.id() + " from " + id
                        + ": no model for this device (not commissioned here); the edge keeps its decision");
            }
            int channels = models.get().large().channels();
            if (e.samples().get(0).channels() != channels) {
                throw new TandemException(ErrorCode.CHANNEL_MISMATCH, "escalation " + e.id() + " from " + id
                        + " has " + e.samples().get(0).channels() + " channels, its model " + channels);
            }
            return new Pending(e, in.payload(), id, models.get(), in.arrivedNanos(), System.currentTimeMillis());
        } catch (TandemException ex) {
            metrics.error(ex);
            return null;
        }
    }

    private Scored score(DeviceId id, List<Pending> group) {
        // one model per group: the one the first escalation found (a replacement is retired, not closed, meanwhile)
        LargeModel large = group.get(0).models().large();
        List<Escalation> escalations = new ArrayList<>(group.size());
        for (Pending p : group) {
            escalations.add(p.escalation());
        }
        List<VerdictScorer.Judgement> judgements = scorer.judge(id, large, escalations);
        for (VerdictScorer.Judgement j : judgements) {
            if (j.refused()) {
                metrics.failed("large model " + safeVersion(large) + " of " + id + " cannot score escalation "
                        + j.escalation().id(), j.refusal());
            }
        }
        return new Scored(id, group, large, judgements);
    }

    private void publish(Scored s) {
        DeviceId id = s.id();
        List<Pending> group = s.group();
        LargeModel large = s.large();
        long now = System.currentTimeMillis();
        for (int i = 0; i < group.size(); i++) {
            Pending p = group.get(i);
            VerdictScorer.Judgement j = s.judgements().get(i);
            Escalation e = p.escalation();
            if (j.refused()) {
                log.record(record(p, null));
                tell(e, null);
                continue;
            }
            if (!Double.isFinite(j.score())) {
                metrics.error(ErrorCode.NON_FINITE_VALUE, "large model " + large.version() + " scored escalation "
                        + e.id() + " of " + id + " as " + j.score() + "; no verdict");
                log.record(record(p, null));
                tell(e, null);
                continue;
            }
            Verdict v = j.verdict(large.version(), now);
            answered.put(key(e), v);
            log.record(record(p, v));
            boolean handed = connection.publish(Topics.of(e.site(), e.device(), Topics.Kind.VERDICTS), Wire.encode(v),
                    1, false, PUBLISH_WAIT, failure -> {
                        if (failure != null) {
                            metrics.error(ErrorCode.BROKER_UNAVAILABLE, "verdict " + e.id() + " to " + id
                                    + " not delivered: " + failure.getMessage());
                        }
                    });
            if (handed) {
                metrics.verdictSent(p.arrivedNanos());
            } else {
                metrics.error(ErrorCode.BROKER_UNAVAILABLE, "verdict " + e.id() + " to " + id
                        + " dropped: not connected to the broker; the edge keeps its decision");
            }
            tell(e, v);
        }
    }

    private static String key(Escalation e) {
        return e.site() + "/" + e.device() + "/" + e.id();
    }

    /** The verdict already given to a repeated escalation, sent again (the edge may have missed it). */
    private void resend(Pending p, Verdict v) {
        Escalation e = p.escalation();
        boolean handed = connection.publish(Topics.of(e.site(), e.device(), Topics.Kind.VERDICTS), Wire.encode(v), 1,
                false, PUBLISH_WAIT, failure -> {
                    if (failure != null) {
                        metrics.error(ErrorCode.BROKER_UNAVAILABLE, "verdict " + e.id() + " to " + p.device()
                                + " not delivered again: " + failure.getMessage());
                    }
                });
        if (!handed) {
            metrics.error(ErrorCode.BROKER_UNAVAILABLE, "verdict " + e.id() + " to " + p.device()
                    + " dropped: not connected to the broker; the edge keeps its decision");
        }
    }

    private void tell(Escalation e, Verdict v) {
        try {
            judged.accept(e, v);
        } catch (RuntimeException ex) {
            LOG.warn("escalation observer failed on {}: {}", e.id(), ex.toString());
        }
    }

    private EscalationRecord record(Pending p, Verdict v) {
        Escalation e = p.escalation();
        return new EscalationRecord(e.site(), e.device(), e.id(), e.windowId(), e.windowSize(), e.modelVersion(),
                e.edgeScore(), p.receivedAt(), instanceId, p.payload(), v == null ? null : v.anomaly(),
                v == null ? null : v.score(), v == null ? null : v.hubModelVersion(), v == null ? null : v.decidedAt());
    }

    private static String safeVersion(LargeModel m) {
        try {
            return m.version();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** Stops the worker (waiting for the batch in hand); queued escalations are dropped. */
    @Override
    public void close() {
        // finish what was received (the caller stopped intake first), bounded
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        while ((busy || !queue.isEmpty()) && thread.isAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        running = false;
        try {
            thread.join(10_000);
            waiting.forEach(EscalationWorker::stopped);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("verdict worker did not stop within 10 s");
        } else {
            closeRetired();
        }
        int dropped = queue.size();
        queue.clear();
        if (dropped > 0) {
            LOG.info("hub stopping: {} queued escalations not answered", dropped);
        }
    }
}
