package dev.tandem.sim.factory;

/**
 * The five sensor channels of a simulated machine, in the order of {@code Sample.values()}.
 * Each channel has a stable wire name, a unit and a physically plausible range (what a real
 * sensor of that kind can report).
 */
public enum SensorChannel {
    VIBRATION_RMS("vibration_rms", "mm/s", 0.0, 50.0),
    MOTOR_CURRENT("motor_current", "A", 0.0, 100.0),
    TEMPERATURE("temperature", "°C", -20.0, 150.0),
    PRESSURE("pressure", "bar", 0.0, 20.0),
    FLOW("flow", "l/min", 0.0, 400.0);

    /** Number of channels, i.e. the length of every generated sample's values. */
    public static final int COUNT = values().length;

    private final String wireName;
    private final String unit;
    private final double min;
    private final double max;

    SensorChannel(String wireName, String unit, double min, double max) {
        this.wireName = wireName;
        this.unit = unit;
        this.min = min;
        this.max = max;
    }

    /** Stable name, e.g. {@code motor_current}. */
    public String wireName() {
        return wireName;
    }

    public String unit() {
        return unit;
    }

    /** Position of this channel in a sample's values. */
    public int index() {
        return ordinal();
    }

    /** Lowest value a sensor of this kind reports. */
    public double min() {
        return min;
    }

    /** Highest value a sensor of this kind reports. */
    public double max() {
        return max;
    }

    public boolean isPlausible(double value) {
        return Double.isFinite(value) && value >= min && value <= max;
    }

    double clamp(double value) {
        return Math.max(min, Math.min(max, value));
    }
}
