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
 */
public record AlarmSettings(int clearAfterWindows, Duration updateInterval) {
    /** Default hysteresis: two of the tiny model's default 10-sample windows of normal before a clear. */
    public static final int DEFAULT_CLEAR_AFTER_WINDOWS = 20;
    public static final Duration DEFAULT_UPDATE_INTERVAL = Duration.ofSeconds(10);

    public AlarmSettings {
        if (clearAfterWindows < 0 || clearAfterWindows > 1_000_000) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "clearAfterWindows must be in [0, 1000000], got "
                    + clearAfterWindows);
        }
        if (updateInterval == null || updateInterval.isNegative() || updateInterval.isZero()) {
            throw new TandemException(ErrorCode.INVALID_CONFIG, "updateInterval must be positive, got " + updateInterval);
        }
    }

    public static AlarmSettings defaults() {
        return new AlarmSettings(DEFAULT_CLEAR_AFTER_WINDOWS, DEFAULT_UPDATE_INTERVAL);
    }
}
