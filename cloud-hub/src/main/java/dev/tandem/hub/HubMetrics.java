package dev.tandem.hub;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.DeviceStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * The hub's meters (Micrometer, {@code tandem.hub.*}, in Prometheus text as {@code tandem_hub_*} on
 * the API's {@code /metrics}) and the one place where rejected input is logged ({@code [CODE] message})
 * and counted ({@code tandem.hub.errors{code}}). Refused API requests are counted apart
 * ({@code tandem.hub.api.refused{code}}) and not logged: anyone who reaches the port can cause them.
 */
public final class HubMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(HubMetrics.class);

    private final MeterRegistry registry;
    private final Counter escalationsReceived;
    private final Counter escalationsRepeated;
    private final Counter verdictsSent;
    private final DistributionSummary batchSize;
    private final Counter commissioningsReceived;
    private final Counter modelsFitted;
    private final Counter modelsPublished;
    private final Counter modelsLoaded;
    private final Counter fleetUpdates;
    private final Map<String, Counter> rebaselines = new TreeMap<>();
    private final Map<String, Counter> retrains = new TreeMap<>();
    private final Timer verdictLatency;
    private final Timer fitTime;
    private final Timer decodeTime;
    private final Timer scoreTime;
    private final Timer publishTime;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    /** The codes the REST API refuses with. */
    private static final java.util.List<ErrorCode> API_CODES = java.util.List.of(ErrorCode.BAD_REQUEST,
            ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND, ErrorCode.UNKNOWN_DEVICE,
            ErrorCode.OVERSIZED_PAYLOAD, ErrorCode.INTERNAL_ERROR);
    private final Map<ErrorCode, Counter> apiRefused = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Alarm.Source, Counter> alarms = new EnumMap<>(Alarm.Source.class);
    private final Counter apiRequests;
    private volatile IntSupplier devicesWithModel = () -> 0;
    private volatile ToIntFunction<DeviceStatus.State> devicesByState = s -> 0;

    /** Meters in a new Prometheus registry (what {@code /metrics} scrapes). */
    public HubMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public HubMetrics(MeterRegistry registry) {
        this.registry = registry;
        escalationsReceived = Counter.builder("tandem.hub.escalations.received").register(registry);
        escalationsRepeated = Counter.builder("tandem.hub.escalations.repeated")
                .description("escalations received again (a replay after a restart or a redelivery): answered with "
                        + "the verdict already given, not scored again").register(registry);
        verdictsSent = Counter.builder("tandem.hub.verdicts.sent").register(registry);
        batchSize = DistributionSummary.builder("tandem.hub.batch.size")
                .description("escalations scored together").register(registry);
        commissioningsReceived = Counter.builder("tandem.hub.commissionings.received").register(registry);
        modelsFitted = Counter.builder("tandem.hub.models.fitted").register(registry);
        modelsPublished = Counter.builder("tandem.hub.models.published").register(registry);
        modelsLoaded = Counter.builder("tandem.hub.models.loaded")
                .description("devices whose models came from the store (fitted before or by another instance)")
                .register(registry);
        fleetUpdates = Counter.builder("tandem.hub.fleet.updates").register(registry);
        for (String outcome : new String[]{RETRAIN_PUBLISHED, RETRAIN_REFUSED, RETRAIN_FAILED}) {
            retrains.put(outcome, Counter.builder("tandem.hub.retrains").tag("outcome", outcome)
                    .description("retraining runs by outcome (refused: too few readings or the gate)").register(registry));
        }
        for (String outcome : new String[]{REBASELINE_STARTED, REBASELINE_NOT_SETTLED, REBASELINE_SENT}) {
            rebaselines.put(outcome, Counter.builder("tandem.hub.rebaselines").tag("outcome", outcome)
                    .register(registry));
        }
        verdictLatency = Timer.builder("tandem.hub.verdict.latency")
                .description("escalation arrival at the hub to verdict handed to the client")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(1)).maximumExpectedValue(java.time.Duration.ofSeconds(10))
                .register(registry);
        fitTime = Timer.builder("tandem.hub.fit.time").publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(100)).maximumExpectedValue(java.time.Duration.ofMinutes(5))
                .register(registry);
        decodeTime = Timer.builder("tandem.hub.batch.time").tag("phase", "decode").register(registry);
        scoreTime = Timer.builder("tandem.hub.batch.time").tag("phase", "score").register(registry);
        publishTime = Timer.builder("tandem.hub.batch.time").tag("phase", "publish").register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, Counter.builder("tandem.hub.errors").tag("code", code.name()).register(registry));
        }
        for (Alarm.Source source : Alarm.Source.values()) {
            alarms.put(source, Counter.builder("tandem.hub.alarms.received").tag("source", source.name())
                    .description("alarms the devices raised, by who decided (EDGE_TIMEOUT: no verdict in time)")
                    .register(registry));
        }
        for (ErrorCode code : API_CODES) {
            apiRefused.put(code, Counter.builder("tandem.hub.api.refused").tag("code", code.name())
                    .description("REST API requests refused, by code").register(registry));
        }
        apiRequests = Counter.builder("tandem.hub.api.requests").description("REST API requests answered")
                .register(registry);
        registry.gauge("tandem.hub.devices.with.model", this, m -> m.devicesWithModel.getAsInt());
        for (DeviceStatus.State state : DeviceStatus.State.values()) {
            io.micrometer.core.instrument.Gauge.builder("tandem.hub.devices", this, m -> m.devicesIn(state))
                    .tag("state", state.name()).description("devices by the state of their last status")
                    .register(registry);
        }
    }

    private double devicesIn(DeviceStatus.State state) {
        return devicesByState.applyAsInt(state);
    }

    void devicesByState(ToIntFunction<DeviceStatus.State> counter) {
        this.devicesByState = counter;
    }

    private final dev.tandem.shared.error.RateLimitedLog errorLog = new dev.tandem.shared.error.RateLimitedLog(LOG::warn);

    /** Prometheus text of every meter, or null when the registry is not a Prometheus one. */
    public String scrape() {
        return registry instanceof PrometheusMeterRegistry p ? p.scrape() : null;
    }

    public void alarmReceived(Alarm.Source source) {
        alarms.get(source).increment();
    }

    public long alarmsReceived(Alarm.Source source) {
        return (long) alarms.get(source).count();
    }

    public void apiRequest() {
        apiRequests.increment();
    }

    /** A refused API request (not logged: see the class comment). */
    public void apiRefused(ErrorCode code) {
        apiRefused.computeIfAbsent(code, c -> Counter.builder("tandem.hub.api.refused").tag("code", c.name())
                .description("REST API requests refused, by code").register(registry)).increment();
    }

    public long apiRefusedCount(ErrorCode code) {
        Counter c = apiRefused.get(code);
        return c == null ? 0 : (long) c.count();
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Counts {@code [CODE] message} and logs it (rate-limited per code: the counters stay exact). */
    public void error(ErrorCode code, String message) {
        errors.get(code).increment();
        errorLog.log(code, "[" + code + "] " + message);
    }

    /** Writes the summaries of the lines the rate limit left out (the hub calls it periodically). */
    public void flushLog() {
        errorLog.flush();
    }

    public void error(TandemException e) {
        error(e.code(), e.getMessage());
    }

    /**
     * Counts a failure of {@code what} (e.g. "cannot fit the models of site/m1"): a
     * {@link TandemException} with its own code, anything else as {@link ErrorCode#INTERNAL_ERROR},
     * logged once with its stack trace (no input should cause one).
     */
    public void failed(String what, RuntimeException e) {
        if (e instanceof TandemException t) {
            error(t.code(), what + ": " + t.getMessage());
        } else {
            errors.get(ErrorCode.INTERNAL_ERROR).increment();
            LOG.error("[{}] {}", ErrorCode.INTERNAL_ERROR, what, e);
        }
    }

    /** A re-baseline judged: the candidate was fitted and is being judged. */
    /** Retraining outcomes ({@code tandem.hub.retrains{outcome}}). */
    public static final String RETRAIN_PUBLISHED = "published";
    public static final String RETRAIN_REFUSED = "refused";
    public static final String RETRAIN_FAILED = "failed";

    /** Counts a retraining outcome. */
    public void retrain(String outcome) {
        retrains.get(outcome).increment();
    }

    public long retrains(String outcome) {
        return (long) retrains.get(outcome).count();
    }

    public static final String REBASELINE_STARTED = "started";
    /** The recent windows were not judged normal: no new model. */
    public static final String REBASELINE_NOT_SETTLED = "not_settled";
    /** Re-fitted on the new normal and published. */
    public static final String REBASELINE_SENT = "sent";

    /** Counts a re-baseline outcome ({@code tandem.hub.rebaselines{outcome}}). */
    public void rebaseline(String outcome) {
        rebaselines.get(outcome).increment();
    }

    public long rebaselines(String outcome) {
        return (long) rebaselines.get(outcome).count();
    }

    public void escalationReceived() {
        escalationsReceived.increment();
    }

    /** An escalation this hub had answered arrived again: its verdict is sent again, not scored again. */
    public void escalationRepeated() {
        escalationsRepeated.increment();
    }

    public long escalationsRepeated() {
        return (long) escalationsRepeated.count();
    }

    public void verdictSent(long arrivedNanos) {
        verdictsSent.increment();
        verdictLatency.record(System.nanoTime() - arrivedNanos, TimeUnit.NANOSECONDS);
    }

    public void batch(int size) {
        batchSize.record(size);
    }

    /** Time the verdict worker spent on one batch, by phase (decode+checks, large-model scoring, verdict publishing). */
    public void batchPhases(long decodeNanos, long scoreNanos, long publishNanos) {
        decodeTime.record(decodeNanos, TimeUnit.NANOSECONDS);
        scoreTime.record(scoreNanos, TimeUnit.NANOSECONDS);
        publishTime.record(publishNanos, TimeUnit.NANOSECONDS);
    }

    public void commissioningReceived() {
        commissioningsReceived.increment();
    }

    public void modelFitted(long nanos) {
        modelsFitted.increment();
        fitTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A device's models taken from the store instead of fitted. */
    public void modelLoaded() {
        modelsLoaded.increment();
    }

    /** Devices whose models came from the store. */
    public long modelsLoaded() {
        return (long) modelsLoaded.count();
    }

    public void modelPublished() {
        modelsPublished.increment();
    }

    public void fleetUpdate() {
        fleetUpdates.increment();
    }

    void devicesWithModel(IntSupplier supplier) {
        this.devicesWithModel = supplier;
    }

    public long errorCount(ErrorCode code) {
        return (long) errors.get(code).count();
    }

    public Snapshot snapshot() {
        Map<String, Long> byCode = new TreeMap<>();
        long total = 0;
        for (Map.Entry<ErrorCode, Counter> e : errors.entrySet()) {
            long n = (long) e.getValue().count();
            if (n > 0) {
                byCode.put(e.getKey().name(), n);
                total += n;
            }
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        for (ValueAtPercentile v : verdictLatency.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.5) {
                p50 = v.value(TimeUnit.MILLISECONDS);
            } else if (v.percentile() == 0.99) {
                p99 = v.value(TimeUnit.MILLISECONDS);
            }
        }
        return new Snapshot((long) escalationsReceived.count(), (long) verdictsSent.count(), batchSize.count(),
                batchSize.count() == 0 ? 0 : batchSize.mean(), (long) batchSize.max(),
                (long) commissioningsReceived.count(), (long) modelsFitted.count(), (long) modelsPublished.count(),
                (long) fleetUpdates.count(), total, Map.copyOf(byCode), devicesWithModel.getAsInt(),
                verdictLatency.count() == 0 ? Double.NaN : p50, verdictLatency.count() == 0 ? Double.NaN : p99,
                fitTime.count() == 0 ? Double.NaN : fitTime.mean(TimeUnit.MILLISECONDS),
                decodeTime.count() == 0 ? Double.NaN : decodeTime.mean(TimeUnit.MILLISECONDS),
                scoreTime.count() == 0 ? Double.NaN : scoreTime.mean(TimeUnit.MILLISECONDS),
                publishTime.count() == 0 ? Double.NaN : publishTime.mean(TimeUnit.MILLISECONDS));
    }

    /**
     * What the hub has done so far.
     *
     * @param meanBatchSize        mean number of escalations scored together (over batches that scored any)
     * @param maxBatchSize         largest batch (within Micrometer's decaying max window)
     * @param verdictLatencyP50Ms  arrival to verdict hand-off, median (NaN before the first verdict)
     * @param meanBatchDecodeMs    verdict worker time per batch decoding and checking escalations
     * @param meanBatchScoreMs     ... updating contexts and scoring with the large models
     * @param meanBatchPublishMs   ... encoding and handing the verdicts to the MQTT client
     */
    public record Snapshot(long escalationsReceived, long verdictsSent, long batches, double meanBatchSize,
                           long maxBatchSize, long commissioningsReceived, long modelsFitted, long modelsPublished,
                           long fleetUpdates, long errors, Map<String, Long> errorsByCode, int devicesWithModel,
                           double verdictLatencyP50Ms, double verdictLatencyP99Ms, double meanFitMs,
                           double meanBatchDecodeMs, double meanBatchScoreMs, double meanBatchPublishMs) {
        public long errors(ErrorCode code) {
            return errorsByCode.getOrDefault(code.name(), 0L);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "escalations=%d verdicts=%d batches=%d meanBatch=%.1f commissionings=%d fitted=%d published=%d "
                            + "devicesWithModel=%d errors=%d %s verdictP50=%.2fms p99=%.2fms",
                    escalationsReceived, verdictsSent, batches, meanBatchSize, commissioningsReceived, modelsFitted,
                    modelsPublished, devicesWithModel, errors, errorsByCode, verdictLatencyP50Ms, verdictLatencyP99Ms);
        }
    }
}
