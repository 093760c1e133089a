package dev.tandem.sim.factory;

import dev.tandem.shared.error.TandemException;

import java.util.Locale;

/**
 * How strong a scripted fault is. Each kind turns a severity into a magnitude in the channel's noise
 * sigmas ({@link #sigmas(AnomalyKind)}); a fault may give its magnitude explicitly instead.
 */
public enum Severity {
    LOW, MEDIUM, HIGH;

    /** The magnitude of a fault of {@code kind} at this severity, in noise sigmas (a noise factor for noise bursts). */
    public double sigmas(AnomalyKind kind) {
        double[] lmh = switch (kind) {
            case SPIKE -> new double[]{5, 10, 20};
            case LEVEL_SHIFT -> new double[]{2.5, 5, 10};
            case DRIFT, DEGRADATION -> new double[]{3, 6, 12};
            case NOISE_BURST -> new double[]{2.5, 4, 8};
            case OSCILLATION, CORRELATED -> new double[]{2, 4, 8};
            case STUCK_SENSOR -> new double[]{0, 0, 0};
        };
        return lmh[ordinal()];
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw TandemException.invalid("unknown severity '" + s + "' (low, medium or high)");
        }
    }
}
