package dev.tandem.sim.factory;

import dev.tandem.shared.error.TandemException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The units a physical channel can be read in, each as {@code value = scale * canonical + offset}
 * from the pump's own unit ({@link SensorChannel#unit()}). A unit not listed for the quantity is
 * refused: a pressure in {@code °C} is a mistake in the file, not a conversion.
 */
public final class Units {
    /** {@code out = scale * in + offset}. */
    public record Conversion(double scale, double offset) {
        public static final Conversion IDENTITY = new Conversion(1, 0);

        public double apply(double canonical) {
            return scale * canonical + offset;
        }
    }

    private static final Map<SensorChannel, Map<String, Conversion>> UNITS = Map.of(
            SensorChannel.VIBRATION_RMS, units("mm/s", 1, 0, "m/s", 1e-3, 0, "in/s", 1 / 25.4, 0),
            SensorChannel.MOTOR_CURRENT, units("A", 1, 0, "mA", 1000, 0),
            SensorChannel.TEMPERATURE, units("°C", 1, 0, "C", 1, 0, "degC", 1, 0, "K", 1, 273.15,
                    "°F", 1.8, 32, "F", 1.8, 32, "degF", 1.8, 32),
            SensorChannel.PRESSURE, units("bar", 1, 0, "mbar", 1000, 0, "kPa", 100, 0, "Pa", 1e5, 0,
                    "MPa", 0.1, 0, "psi", 14.5037738, 0),
            SensorChannel.FLOW, units("l/min", 1, 0, "L/min", 1, 0, "l/s", 1 / 60.0, 0, "m3/h", 0.06, 0));

    private Units() {
    }

    private static Map<String, Conversion> units(Object... spec) {
        Map<String, Conversion> m = new LinkedHashMap<>();
        for (int i = 0; i < spec.length; i += 3) {
            m.put((String) spec[i], new Conversion(((Number) spec[i + 1]).doubleValue(), ((Number) spec[i + 2]).doubleValue()));
        }
        return m;
    }

    /** How to read {@code quantity} in {@code unit}; null or blank means its own unit. */
    public static Conversion of(SensorChannel quantity, String unit) {
        if (unit == null || unit.isBlank()) {
            return Conversion.IDENTITY;
        }
        Conversion c = UNITS.get(quantity).get(unit.trim());
        if (c == null) {
            throw TandemException.invalid("unit '" + unit + "' is not a unit of " + quantity.wireName() + " (one of "
                    + String.join(", ", UNITS.get(quantity).keySet()) + ")");
        }
        return c;
    }
}
