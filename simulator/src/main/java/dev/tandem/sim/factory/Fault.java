package dev.tandem.sim.factory;

import dev.tandem.shared.error.TandemException;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A fault to inject on a device: what it does ({@link AnomalyKind}), on which channels, how strongly
 * and for how long. Where it starts is given when it is scheduled ({@link DeviceScript#schedule},
 * {@link MachineSimulator#inject}). Build with the factories and refine with the {@code with} methods:
 *
 * <pre>{@code
 * Fault.levelShift("temperature").severity(Severity.HIGH).lasting(Duration.ofSeconds(30))
 * }</pre>
 *
 * @param kind      what the fault does to the signal
 * @param channels  the channels it acts on (names of the device type's channels); at least one
 * @param severity  low, medium or high: the magnitude when {@code magnitude} is NaN (see {@link Severity#sigmas})
 * @param magnitude explicit magnitude in the channel's noise sigmas (signed: negative goes down; for a
 *                  noise burst the noise factor); NaN = from the severity
 * @param duration  how long it lasts; zero = one sample
 * @param period    period of an oscillation (others: ignored, zero)
 * @param weights   per channel weight of a correlated fault (same length as channels; empty = all 1)
 */
public record Fault(AnomalyKind kind, List<String> channels, Severity severity, double magnitude, Duration duration,
                    Duration period, List<Double> weights) {
    /** Duration of a fault unless told otherwise (a spike: one sample). */
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    /** Period of an oscillation unless told otherwise. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);

    public Fault {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        if (channels == null || channels.isEmpty()) {
            throw TandemException.invalid(kind.wireName() + " fault needs at least one channel");
        }
        channels = List.copyOf(channels);
        if (Double.isInfinite(magnitude)) {
            throw TandemException.invalid(kind.wireName() + " fault: magnitude must be finite");
        }
        if (duration == null || duration.isNegative()) {
            throw TandemException.invalid(kind.wireName() + " fault: duration must be >= 0");
        }
        period = period == null ? Duration.ZERO : period;
        if (kind == AnomalyKind.OSCILLATION && (period.isZero() || period.isNegative())) {
            throw TandemException.invalid("oscillation fault needs a period > 0");
        }
        weights = weights == null ? List.of() : List.copyOf(weights);
        if (!weights.isEmpty() && weights.size() != channels.size()) {
            throw TandemException.invalid(kind.wireName() + " fault: " + weights.size() + " weights for "
                    + channels.size() + " channels");
        }
        for (Double w : weights) {
            if (w == null || !Double.isFinite(w)) {
                throw TandemException.invalid(kind.wireName() + " fault: weights must be finite numbers");
            }
        }
        if (kind == AnomalyKind.CORRELATED && channels.size() < 2) {
            throw TandemException.invalid("a correlated fault acts on at least two channels");
        }
    }

    public static Fault of(AnomalyKind kind, List<String> channels) {
        Duration d = kind == AnomalyKind.SPIKE ? Duration.ZERO : DEFAULT_DURATION;
        Duration p = kind == AnomalyKind.OSCILLATION ? DEFAULT_PERIOD : Duration.ZERO;
        return new Fault(kind, channels, Severity.MEDIUM, Double.NaN, d, p, List.of());
    }

    public static Fault spike(String channel) {
        return of(AnomalyKind.SPIKE, List.of(channel));
    }

    public static Fault levelShift(String... channels) {
        return of(AnomalyKind.LEVEL_SHIFT, List.of(channels));
    }

    /** A level shift by {@code sigmas} noise sigmas (signed). */
    public static Fault levelShift(String channel, double sigmas) {
        return levelShift(channel).magnitude(sigmas);
    }

    public static Fault drift(String channel) {
        return of(AnomalyKind.DRIFT, List.of(channel));
    }

    public static Fault stuck(String channel) {
        return of(AnomalyKind.STUCK_SENSOR, List.of(channel));
    }

    public static Fault noiseBurst(String... channels) {
        return of(AnomalyKind.NOISE_BURST, List.of(channels));
    }

    public static Fault oscillation(String channel, Duration period) {
        return of(AnomalyKind.OSCILLATION, List.of(channel)).period(period);
    }

    public static Fault degradation(String... channels) {
        return of(AnomalyKind.DEGRADATION, List.of(channels));
    }

    public static Fault correlated(String... channels) {
        return of(AnomalyKind.CORRELATED, List.of(channels));
    }

    public Fault severity(Severity s) {
        return new Fault(kind, channels, s, magnitude, duration, period, weights);
    }

    public Fault magnitude(double sigmas) {
        return new Fault(kind, channels, severity, sigmas, duration, period, weights);
    }

    public Fault lasting(Duration d) {
        return new Fault(kind, channels, severity, magnitude, d, period, weights);
    }

    public Fault period(Duration p) {
        return new Fault(kind, channels, severity, magnitude, duration, p, weights);
    }

    public Fault weights(List<Double> w) {
        return new Fault(kind, channels, severity, magnitude, duration, period, w);
    }

    /** The magnitude in sigmas: explicit, or the severity's. */
    public double sigmas() {
        return Double.isNaN(magnitude) ? severity.sigmas(kind) : magnitude;
    }
}
