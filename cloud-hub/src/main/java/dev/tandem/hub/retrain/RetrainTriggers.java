package dev.tandem.hub.retrain;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.DeviceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * When the hub retrains a device by itself (each trigger reported as the run's reason):
 * <ul>
 *   <li><b>drift</b>: the device's escalation rate, from the window and escalation counters of its
 *       status messages (over spans of at least {@link Settings#minWindows()} windows of one model),
 *       above {@link Settings#driftFactor()} times its budget in {@link Settings#driftSpans()} spans in
 *       a row;</li>
 *   <li><b>labels</b>: {@link Settings#labels()} new operator labels of the device since its last run;</li>
 *   <li><b>verdicts</b>: {@link Settings#verdicts()} new verdicts of the device's large model since its
 *       last run (off by default: the teacher's verdicts come where the edge is unsure, and a count of
 *       them alone says little about whether a new model pays).</li>
 * </ul>
 * At most one automatic run per device per {@link Settings#holdOff()}; the run itself goes through the
 * gate ({@link RetrainService}), so a trigger never publishes a model that is not better.
 */
public final class RetrainTriggers {
    private static final Logger LOG = LoggerFactory.getLogger(RetrainTriggers.class);

    /**
     * @param driftFactor escalation rate above this many budgets counts as drift (0: no drift trigger)
     * @param driftSpans  spans in a row above it before a run
     * @param minWindows  windows one span covers at least
     * @param labels      new labels before a run (0: no labels trigger)
     * @param verdicts    new verdicts before a run (0: no verdicts trigger)
     * @param holdOff     at least this long between two automatic runs of a device
     */
    public record Settings(double driftFactor, int driftSpans, long minWindows, int labels, int verdicts,
                           Duration holdOff) {
        public static final double DEFAULT_DRIFT_FACTOR = 2.5;
        public static final int DEFAULT_DRIFT_SPANS = 3;
        public static final long DEFAULT_MIN_WINDOWS = 100;
        public static final int DEFAULT_LABELS = 3;
        public static final int DEFAULT_VERDICTS = 0;
        public static final Duration DEFAULT_HOLD_OFF = Duration.ofMinutes(10);

        public Settings {
            if (!(driftFactor == 0 || driftFactor >= 1) || !Double.isFinite(driftFactor)) {
                throw invalid("driftFactor must be 0 (off) or >= 1, got " + driftFactor);
            }
            if (driftSpans < 1 || driftSpans > 1000 || minWindows < 1 || labels < 0 || labels > 10_000
                    || verdicts < 0 || verdicts > 10_000_000) {
                throw invalid("driftSpans 1..1000, minWindows >= 1, labels 0..10000, verdicts 0..10000000");
            }
            if (holdOff == null || holdOff.isNegative()) {
                throw invalid("holdOff must be >= 0");
            }
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_DRIFT_FACTOR, DEFAULT_DRIFT_SPANS, DEFAULT_MIN_WINDOWS, DEFAULT_LABELS,
                    DEFAULT_VERDICTS, DEFAULT_HOLD_OFF);
        }

        public static Settings off() {
            return new Settings(0, DEFAULT_DRIFT_SPANS, DEFAULT_MIN_WINDOWS, 0, 0, DEFAULT_HOLD_OFF);
        }

        private static TandemException invalid(String m) {
            return new TandemException(ErrorCode.INVALID_CONFIG, "retrain triggers: " + m);
        }
    }

    private static final class Track {
        String model;
        long windows = -1;
        long escalations;
        int over;
        int labels;
        long verdicts;
        long lastRunAt = Long.MIN_VALUE;
    }

    private final Settings settings;
    private final double budget;
    private final BiConsumer<DeviceId, String> retrain;
    private final LongSupplier clock;
    private final Map<DeviceId, Track> tracks = new ConcurrentHashMap<>();

    /**
     * @param budget  the share of windows the devices' uncertain bands should escalate (0: a fixed band, no drift trigger)
     * @param retrain starts a run (must return at once)
     */
    public RetrainTriggers(Settings settings, double budget, BiConsumer<DeviceId, String> retrain, LongSupplier clock) {
        this.settings = settings;
        this.budget = budget;
        this.retrain = retrain;
        this.clock = clock;
    }

    public Settings settings() {
        return settings;
    }

    /** A device's status message (its counters are totals since the agent started). */
    public void onStatus(DeviceStatus s) {
        if (settings.driftFactor() == 0 || budget <= 0 || s.modelVersion() == null) {
            return;
        }
        DeviceId id = new DeviceId(s.site(), s.device());
        String reason = null;
        Track t = tracks.computeIfAbsent(id, k -> new Track());
        synchronized (t) {
            if (!s.modelVersion().equals(t.model) || s.windows() < t.windows || t.windows < 0) {
                t.model = s.modelVersion(); // a new model or a restarted agent: count afresh
                t.windows = s.windows();
                t.escalations = s.escalations();
                t.over = 0;
                return;
            }
            long windows = s.windows() - t.windows;
            if (windows < settings.minWindows()) {
                return;
            }
            double rate = Math.max(0, s.escalations() - t.escalations) / (double) windows;
            t.windows = s.windows();
            t.escalations = s.escalations();
            t.over = rate > settings.driftFactor() * budget ? t.over + 1 : 0;
            if (t.over >= settings.driftSpans() && due(t)) {
                reason = String.format(Locale.ROOT, "drift: %.1f%% escalated over %d windows, budget %.1f%%",
                        100 * rate, windows, 100 * budget);
                t.over = 0;
            }
        }
        fire(id, reason);
    }

    /** An operator labelled a stretch of the device. */
    public void onLabel(DeviceId id) {
        if (settings.labels() == 0) {
            return;
        }
        String reason = null;
        Track t = tracks.computeIfAbsent(id, k -> new Track());
        synchronized (t) {
            t.labels++;
            int count = t.labels;
            if (count >= settings.labels() && due(t)) {
                reason = "labels: " + count + " new";
            }
        }
        fire(id, reason);
    }

    /** The device's large model judged one of its escalations. */
    public void onVerdict(DeviceId id) {
        if (settings.verdicts() == 0) {
            return;
        }
        String reason = null;
        Track t = tracks.computeIfAbsent(id, k -> new Track());
        synchronized (t) {
            t.verdicts++;
            long count = t.verdicts;
            if (count >= settings.verdicts() && due(t)) {
                reason = "verdicts: " + count + " new";
            }
        }
        fire(id, reason);
    }

    private boolean due(Track t) {
        long now = clock.getAsLong();
        if (t.lastRunAt != Long.MIN_VALUE && now - t.lastRunAt < settings.holdOff().toMillis()) {
            return false;
        }
        t.lastRunAt = now;
        t.labels = 0;
        t.verdicts = 0;
        return true;
    }

    private void fire(DeviceId id, String reason) {
        if (reason != null) {
            LOG.info("{}: retraining triggered ({})", id, reason);
            retrain.accept(id, reason);
        }
    }
}
