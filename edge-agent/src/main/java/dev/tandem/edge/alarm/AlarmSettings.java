package dev.tandem.edge.alarm;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.time.Duration;

/**
 * How a device's alarm episodes are raised, held and ended (see {@link EpisodeTracker}).
 *
 * @param clearAfterWindows normal windows in a row after which a held episode is CLEARed (hysteresis;
 *                          0: at the first normal window)
 * @param updateInterval    while an episode holds, an UPDATE at most this often (sample time)
 * @param reviewAfter       once an episode has held this long (sample time), the edge also escalates one of its
 *                          anomalous windows in every window length for the hub's review, so that the hub holds the
 *                          device's recent readings and can re-baseline it (see the hub's re-baselining); the edge's
 *                          decision stands, the verdict only tells it what the hub holds; null: no reviews
 */
public record AlarmSettings(int clearAfterWindows, Duration updateInterval, Duration reviewAfter) {
    /** Default hysteresis: two of the tiny model's default 10-sample windows of normal before a clear. */
    public static final int DEFAULT_CLEAR_AFTER_WINDOWS = 20;
    public static final Duration DEFAULT_UPDATE_INTERVAL = Duration.ofSeconds(10);
    /**
     * Reviews once an episode has held ten minutes, when the hub's re-baselining starts to consider it
     * (its default {@code heldFor}): short faults cost no uplink, a new steady state costs its readings.
     */
    public static final Duration DEFAULT_REVIEW_AFTER = Duration.ofMinutes(10);

    public AlarmSettings {
        if (clearAfterWindows < 0 || clearAfterWindows > 1_000_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "clearAfterWindows must be in [0, 1000000], got "
                    + clearAfterWindows);
        }
        if (updateInterval == null || updateInterval.isNegative() || updateInterval.isZero()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "updateInterval must be positive, got " + updateInterval);
        }
        if (reviewAfter != null && reviewAfter.isNegative()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "reviewAfter must be >= 0 (or null: off), got "
                    + reviewAfter);
        }
    }

    /** Hysteresis and update interval as given, reviews after the default hold. */
    public AlarmSettings(int clearAfterWindows, Duration updateInterval) {
        this(clearAfterWindows, updateInterval, DEFAULT_REVIEW_AFTER);
    }

    public static AlarmSettings defaults() {
        return new AlarmSettings(DEFAULT_CLEAR_AFTER_WINDOWS, DEFAULT_UPDATE_INTERVAL, DEFAULT_REVIEW_AFTER);
    }

    /** The same without review escalations (a device with no hub to review them). */
    public AlarmSettings withoutReviews() {
        return new AlarmSettings(clearAfterWindows, updateInterval, null);
    }

    /** The same with reviews once an episode has held {@code after} (null: off). */
    public AlarmSettings withReviewAfter(Duration after) {
        return new AlarmSettings(clearAfterWindows, updateInterval, after);
    }
}
