package dev.tandem.sim.factory;

import dev.tandem.shared.error.TandemException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a channel's healthy signal comes from: one of the simulated pump's physical quantities (the
 * factory-line machine of {@link MachineSimulator}: load cycle, thermal lag, pump and system curves,
 * its noise and slow drift), or a plain signal model with its own parameters.
 */
public enum SensorModel {
    VIBRATION_RMS(SensorChannel.VIBRATION_RMS),
    MOTOR_CURRENT(SensorChannel.MOTOR_CURRENT),
    TEMPERATURE(SensorChannel.TEMPERATURE),
    PRESSURE(SensorChannel.PRESSURE),
    FLOW(SensorChannel.FLOW),
    /** {@code base}, plus the channel's noise. */
    CONSTANT(null),
    /** {@code base + amplitude * sin(2 pi t / period)}, plus noise. */
    SINE(null),
    /** A mean-reverting random walk around {@code base} with a spread of {@code amplitude} (time constant {@code period}). */
    RANDOM_WALK(null);

    private final SensorChannel physical;

    SensorModel(SensorChannel physical) {
        this.physical = physical;
    }

    /** The pump quantity this model reads, or null for a plain signal model. */
    public SensorChannel physical() {
        return physical;
    }

    public boolean isPhysical() {
        return physical != null;
    }

    /** Lower-case name used in files: {@code flow}, {@code random_walk}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The model named {@code name} (case-insensitive, {@code -} or {@code _}); INVALID_CONFIG listing the models otherwise. */
    public static SensorModel parse(String name) {
        String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (SensorModel m : values()) {
            if (m.name().equals(n)) {
                return m;
            }
        }
        throw TandemException.invalid("unknown sensor model '" + name + "' (one of "
                + Arrays.stream(values()).map(SensorModel::wireName).collect(Collectors.joining(", ")) + ")");
    }
}
