package dev.tandem.edge;

import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.edge.uplink.DropReason;
import dev.tandem.edge.uplink.MessageClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The edge agent's Micrometer meters, all named {@code tandem.edge.*} and tagged {@code agent=<clientId>}
 * so that several agents can share one registry:
 * <ul>
 *   <li>{@code tandem.edge.readings}: samples accepted;</li>
 *   <li>{@code tandem.edge.windows}: windows scored;</li>
 *   <li>{@code tandem.edge.windows.anomalous{source}}: windows decided anomalous, by who decided (EDGE, HUB,
 *       EDGE_TIMEOUT);</li>
 *   <li>{@code tandem.edge.alarms{phase}}: alarm episode messages published (ONSET, UPDATE, CLEAR, REBASELINED);</li>
 *   <li>{@code tandem.edge.escalations}: windows sent to the hub (uncertain ones, and reviews);
 *       {@code tandem.edge.reviews}: anomalous windows of a long-held episode sent for the hub's review,
 *       {@code tandem.edge.reviews.answered}: their verdicts;</li>
 *   <li>{@code tandem.edge.verdicts}: verdicts applied; {@code tandem.edge.verdict.timeouts}: verdicts that did
 *       not come in time; {@code tandem.edge.verdicts.late}: verdicts after their timeout (ignored);
 *       {@code tandem.edge.verdicts.unknown}: verdicts for ids this agent never sent;</li>
 *   <li>{@code tandem.edge.commissionings}: commissioning messages sent; {@code tandem.edge.models.activated};
 *       {@code tandem.edge.shadow.windows}: windows a rollout's candidate scored in shadow;
 *       {@code tandem.edge.models.rolledback}: candidates dropped and models reverted in rollouts;</li>
 *   <li>{@code tandem.edge.readings.duplicate}: samples whose seq is not after the newest (e.g. QoS 1 redelivery), skipped;</li>
 *   <li>{@code tandem.edge.readings.refused}: samples refused as too far ahead of the device's sequence;
 *       {@code tandem.edge.readings.held.dropped}: samples held for a model that did not fit the bounded buffer;</li>
 *   <li>{@code tandem.edge.outbox.dropped{class,reason}}: QoS 1 messages the outbox dropped, by message class
 *       (alarm, escalation, readings) and reason (budget, capacity, refused, corrupt);
 *       gauges {@code tandem.edge.outbox.size} and {@code tandem.edge.outbox.durable} (1: on disk);</li>
 *   <li>{@code tandem.edge.connections}: (re)connections with subscriptions acknowledged; gauge
 *       {@code tandem.edge.connected};</li>
 *   <li>artifacts fetched in chunks: {@code tandem.edge.chunks.requested} (requests sent, retries included),
 *       {@code tandem.edge.chunks.received} and {@code tandem.edge.chunks.received.bytes} (chunks taken),
 *       {@code tandem.edge.chunks.refused{reason}} (hash: bytes not matching their sha256, or a size other than
 *       the signed one; stale: not the chunk asked for; hub: the hub refused the request; malformed),
 *       {@code tandem.edge.chunks.timeouts} (requests unanswered in time), {@code tandem.edge.downloads{outcome}}
 *       (complete, failed, too_large);</li>
 *   <li>{@code tandem.edge.errors{code}}: everything rejected at a boundary, by {@link ErrorCode}
 *       ({@code BROKER_UNAVAILABLE}: each failed connection attempt and each lost connection).</li>
 * </ul>
 * Thread-safe.
 */
public final class EdgeMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter readings;
    private final Counter duplicates;
    private final Counter windows;
    private final Map<Alarm.Source, Counter> anomalous = new EnumMap<>(Alarm.Source.class);
    private final Map<Alarm.Phase, Counter> episodes = new EnumMap<>(Alarm.Phase.class);
    private final Counter escalations;
    private final Counter reviews;
    private final Counter reviewVerdicts;
    private final Counter verdicts;
    private final Counter verdictTimeouts;
    private final Counter lateVerdicts;
    private final Counter unknownVerdicts;
    private final Counter commissionings;
    private final Counter modelsActivated;
    private final Counter shadowWindows;
    private final Counter modelsRolledBack;
    private final Map<String, Counter> outboxDropped = new java.util.HashMap<>();
    private final Counter refusedReadings;
    private final dev.tandem.shared.error.RateLimitedLog badInputLog =
            new dev.tandem.shared.error.RateLimitedLog(org.slf4j.LoggerFactory.getLogger("dev.tandem.edge.BadInput")::warn);
    private final Counter heldDropped;
    private volatile java.util.function.BooleanSupplier outboxDurable = () -> false;
    private final Counter connections;
    private final Counter chunksRequested;
    private final Counter chunksReceived;
    private final Counter chunkBytes;
    private final Counter chunkTimeouts;
    private final Map<String, Counter> chunksRefused = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Counter> downloads = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private volatile Supplier<Integer> outboxSize = () -> 0;
    private volatile boolean connected;

    /** Meters in a new {@link SimpleMeterRegistry}. */
    public EdgeMetrics(String agent) {
        this(new SimpleMeterRegistry(), agent);
    }

    public EdgeMetrics(MeterRegistry registry, String agent) {
        this.registry = registry;
        this.tags = Tags.of("agent", agent);
        readings = counter("tandem.edge.readings");
        duplicates = counter("tandem.edge.readings.duplicate");
        windows = counter("tandem.edge.windows");
        for (Alarm.Source s : Alarm.Source.values()) {
            anomalous.put(s, Counter.builder("tandem.edge.windows.anomalous").tags(tags).tag("source", s.name())
                    .register(registry));
        }
        for (Alarm.Phase p : Alarm.Phase.values()) {
            episodes.put(p, Counter.builder("tandem.edge.alarms").tags(tags).tag("phase", p.name()).register(registry));
        }
        escalations = counter("tandem.edge.escalations");
        reviews = counter("tandem.edge.reviews");
        reviewVerdicts = counter("tandem.edge.reviews.answered");
        verdicts = counter("tandem.edge.verdicts");
        verdictTimeouts = counter("tandem.edge.verdict.timeouts");
        lateVerdicts = counter("tandem.edge.verdicts.late");
        unknownVerdicts = counter("tandem.edge.verdicts.unknown");
        commissionings = counter("tandem.edge.commissionings");
        modelsActivated = counter("tandem.edge.models.activated");
        shadowWindows = counter("tandem.edge.shadow.windows");
        modelsRolledBack = counter("tandem.edge.models.rolledback");
        for (MessageClass c : MessageClass.values()) {
            for (DropReason r : DropReason.values()) {
                outboxDropped.put(c.label() + "/" + r.label(), Counter.builder("tandem.edge.outbox.dropped").tags(tags)
                        .tag("class", c.label()).tag("reason", r.label()).register(registry));
            }
        }
        refusedReadings = counter("tandem.edge.readings.refused");
        heldDropped = counter("tandem.edge.readings.held.dropped");
        connections = counter("tandem.edge.connections");
        chunksRequested = counter("tandem.edge.chunks.requested");
        chunksReceived = counter("tandem.edge.chunks.received");
        chunkBytes = counter("tandem.edge.chunks.received.bytes");
        chunkTimeouts = counter("tandem.edge.chunks.timeouts");
        for (String r : new String[]{"hash", "stale", "hub", "malformed"}) {
            chunksRefused.put(r, Counter.builder("tandem.edge.chunks.refused").tags(tags).tag("reason", r).register(registry));
        }
        for (String o : new String[]{"complete", "failed", "too_large"}) {
            downloads.put(o, Counter.builder("tandem.edge.downloads").tags(tags).tag("outcome", o).register(registry));
        }
        for (ErrorCode c : ErrorCode.values()) {
            errors.put(c, Counter.builder("tandem.edge.errors").tags(tags).tag("code", c.name()).register(registry));
        }
        Gauge.builder("tandem.edge.outbox.size", () -> outboxSize.get()).tags(tags).register(registry);
        Gauge.builder("tandem.edge.outbox.durable", () -> outboxDurable.getAsBoolean() ? 1 : 0).tags(tags)
                .register(registry);
        Gauge.builder("tandem.edge.connected", () -> connected ? 1 : 0).tags(tags).register(registry);
    }

    private Counter counter(String name) {
        return Counter.builder(name).tags(tags).register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    void outboxSize(Supplier<Integer> size) {
        this.outboxSize = size;
    }

    void outboxDurable(java.util.function.BooleanSupplier durable) {
        this.outboxDurable = durable;
    }

    void connected(boolean connected) {
        this.connected = connected;
    }

    public void reading() {
        readings.increment();
    }

    public void duplicate() {
        duplicates.increment();
    }

    public void window() {
        windows.increment();
    }

    public void anomalousWindow(Alarm.Source source) {
        anomalous.get(source).increment();
    }

    public void episode(Alarm.Phase phase) {
        episodes.get(phase).increment();
    }

    public void escalation() {
        escalations.increment();
    }

    public void review() {
        reviews.increment();
    }

    public void reviewVerdict() {
        reviewVerdicts.increment();
    }

    /** Review escalations sent. */
    public long reviews() {
        return (long) reviews.count();
    }

    /** Verdicts on review escalations (not counted in {@link Snapshot#verdicts()}). */
    public long reviewVerdicts() {
        return (long) reviewVerdicts.count();
    }

    public void verdict() {
        verdicts.increment();
    }

    public void verdictTimeout() {
        verdictTimeouts.increment();
    }

    public void lateVerdict() {
        lateVerdicts.increment();
    }

    public void unknownVerdict() {
        unknownVerdicts.increment();
    }

    public void commissioning() {
        commissionings.increment();
    }

    public void modelActivated() {
        modelsActivated.increment();
    }

    /** A window a candidate model scored in shadow (beside the active model's). */
    public void shadowWindow() {
        shadowWindows.increment();
    }

    public long shadowWindows() {
        return (long) shadowWindows.count();
    }

    /** A candidate dropped in shadow or a model the watchdog reverted, or a candidate the hub replaced. */
    public void modelRolledBack() {
        modelsRolledBack.increment();
    }

    public long modelsRolledBack() {
        return (long) modelsRolledBack.count();
    }

    public void outboxDropped(MessageClass c, DropReason reason) {
        outboxDropped.get(c.label() + "/" + reason.label()).increment();
    }

    /**
     * The agent's log of bad input and repeated failures, rate-limited per error code (the counters stay
     * exact); its summaries are written by {@link #flushLog()}, which the agent calls with every status round.
     */
    public dev.tandem.shared.error.RateLimitedLog badInputLog() {
        return badInputLog;
    }

    public void flushLog() {
        badInputLog.flush();
    }

    public void refusedReading() {
        refusedReadings.increment();
    }

    public void heldReadingDropped() {
        heldDropped.increment();
    }

    public void connection() {
        connections.increment();
    }

    public void chunkRequested() {
        chunksRequested.increment();
    }

    public void chunkReceived(int bytes) {
        chunksReceived.increment();
        chunkBytes.increment(bytes);
    }

    public void chunkTimedOut() {
        chunkTimeouts.increment();
    }

    /** @param reason hash, stale, hub or malformed */
    public void chunkRefused(String reason) {
        chunksRefused.get(reason).increment();
    }

    /** @param outcome complete, failed or too_large */
    public void download(String outcome) {
        downloads.get(outcome).increment();
    }

    /** Chunks refused for {@code reason} so far. */
    public long chunksRefused(String reason) {
        return (long) chunksRefused.get(reason).count();
    }

    public long chunksReceived() {
        return (long) chunksReceived.count();
    }

    public long chunksRequested() {
        return (long) chunksRequested.count();
    }

    public long downloads(String outcome) {
        return (long) downloads.get(outcome).count();
    }

    public void error(ErrorCode code) {
        errors.get(code).increment();
    }

    public long errors(ErrorCode code) {
        return (long) errors.get(code).count();
    }

    /** The counters now, for a status line or a test. */
    public Snapshot snapshot() {
        Map<ErrorCode, Long> byCode = new EnumMap<>(ErrorCode.class);
        long errorTotal = 0;
        for (var e : errors.entrySet()) {
            long n = (long) e.getValue().count();
            if (n > 0) {
                byCode.put(e.getKey(), n);
                errorTotal += n;
            }
        }
        Map<Alarm.Source, Long> anomalousBySource = new EnumMap<>(Alarm.Source.class);
        long anomalousTotal = 0;
        for (var e : anomalous.entrySet()) {
            long n = (long) e.getValue().count();
            anomalousBySource.put(e.getKey(), n);
            anomalousTotal += n;
        }
        Map<Alarm.Phase, Long> byPhase = new EnumMap<>(Alarm.Phase.class);
        episodes.forEach((p, c) -> byPhase.put(p, (long) c.count()));
        return new Snapshot((long) readings.count(), (long) windows.count(), anomalousTotal,
                Map.copyOf(anomalousBySource), Map.copyOf(byPhase),
                (long) escalations.count(), (long) verdicts.count(), (long) verdictTimeouts.count(),
                (long) lateVerdicts.count(), (long) unknownVerdicts.count(), (long) commissionings.count(),
                (long) modelsActivated.count(), (long) duplicates.count(),
                (long) outboxDropped.values().stream().mapToDouble(Counter::count).sum(),
                outboxSize.get(), connected, (long) connections.count(), errorTotal, Map.copyOf(byCode));
    }

    /**
     * Counter values at one moment. {@code anomalousWindows}: windows decided anomalous (by source in
     * {@code anomalousBySource}); {@code alarmsByPhase}: episode messages published. {@code errorsByCode}
     * holds only the codes seen.
     */
    public record Snapshot(long readings, long windows, long anomalousWindows, Map<Alarm.Source, Long> anomalousBySource,
                           Map<Alarm.Phase, Long> alarmsByPhase,
                           long escalations, long verdicts, long verdictTimeouts, long lateVerdicts,
                           long unknownVerdicts, long commissionings, long modelsActivated, long duplicateReadings,
                           long outboxDropped, int outboxSize, boolean connected, long connections, long errors,
                           Map<ErrorCode, Long> errorsByCode) {

        public long anomalousWindows(Alarm.Source source) {
            return anomalousBySource.getOrDefault(source, 0L);
        }

        /** Alarm episodes raised. */
        public long onsets() {
            return alarms(Alarm.Phase.ONSET);
        }

        /** Alarm episodes cleared. */
        public long clears() {
            return alarms(Alarm.Phase.CLEAR);
        }

        /** Alarm episodes ended by a re-baselined model. */
        public long rebaselines() {
            return alarms(Alarm.Phase.REBASELINED);
        }

        /** Episode messages of one phase published. */
        public long alarms(Alarm.Phase phase) {
            return alarmsByPhase.getOrDefault(phase, 0L);
        }

        public long errors(ErrorCode code) {
            return errorsByCode.getOrDefault(code, 0L);
        }
    }
}
