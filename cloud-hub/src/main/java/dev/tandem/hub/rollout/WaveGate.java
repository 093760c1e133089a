package dev.tandem.hub.rollout;

import dev.tandem.shared.error.TandemException;

import java.time.Duration;

/**
 * When a wave is done: promoted once at least {@code successThreshold} of its devices are ACTIVE,
 * stopped (and the rollout rolled back) once more than {@code errorThreshold} of them are FAILED or
 * ROLLED_BACK, timed out after {@code timeout} otherwise. Each device of the wave runs the candidate
 * in SHADOW for {@code shadowTime} before it may go ACTIVE (zero: no shadow).
 */
public record WaveGate(double successThreshold, double errorThreshold, Duration shadowTime, Duration timeout) {
    public static final double DEFAULT_SUCCESS_THRESHOLD = 0.95;
    public static final double DEFAULT_ERROR_THRESHOLD = 0.05;
    public static final Duration DEFAULT_SHADOW_TIME = Duration.ofMinutes(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
    public static final Duration MAX_SHADOW_TIME = Duration.ofDays(7);
    public static final Duration MAX_TIMEOUT = Duration.ofDays(30);

    public WaveGate {
        if (!(successThreshold > 0 && successThreshold <= 1)) {
            throw TandemException.invalid("successThreshold must be in (0, 1], got " + successThreshold);
        }
        if (!(errorThreshold >= 0 && errorThreshold < 1)) {
            throw TandemException.invalid("errorThreshold must be in [0, 1), got " + errorThreshold);
        }
        if (shadowTime == null || shadowTime.isNegative() || shadowTime.compareTo(MAX_SHADOW_TIME) > 0) {
            throw TandemException.invalid("shadowTime must be 0.." + MAX_SHADOW_TIME.toDays() + " days, got " + shadowTime);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw TandemException.invalid("timeout must be > 0 and at most " + MAX_TIMEOUT.toDays() + " days, got "
                    + timeout);
        }
        if (shadowTime.compareTo(timeout) >= 0) {
            throw TandemException.invalid("the shadow time (" + shadowTime + ") must be shorter than the wave's timeout ("
                    + timeout + ")");
        }
    }

    public static WaveGate defaults() {
        return new WaveGate(DEFAULT_SUCCESS_THRESHOLD, DEFAULT_ERROR_THRESHOLD, DEFAULT_SHADOW_TIME, DEFAULT_TIMEOUT);
    }

    public WaveGate withShadowTime(Duration shadow) {
        return new WaveGate(successThreshold, errorThreshold, shadow, timeout);
    }
}
