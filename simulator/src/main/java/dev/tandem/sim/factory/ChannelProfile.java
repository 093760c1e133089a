package dev.tandem.sim.factory;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.util.Objects;

/**
 * One sensor channel of a {@link DeviceProfile}: its healthy signal ({@link SensorModel}), the unit it
 * reports in, extra sensor noise, quantisation, its own update rate, and its range.
 *
 * @param name      channel name (as in the wire's channel order)
 * @param unit      unit; for a physical model one of {@link Units} for that quantity (null: its own unit)
 * @param model     where the healthy signal comes from
 * @param base      mean of a plain model (CONSTANT, SINE, RANDOM_WALK); must be 0 for a physical one
 * @param amplitude sine amplitude or random-walk spread, in the channel's unit (plain models only)
 * @param periodSeconds sine period or random-walk time constant (plain models only; > 0 when amplitude > 0)
 * @param noise     extra Gaussian sensor noise, standard deviation in the channel's unit (>= 0)
 * @param quantum   quantisation step in the channel's unit; 0 = continuous
 * @param rateHz    how often the sensor updates; 0 = with every sample of the device. Between updates
 *                  the last value is held (the device's rate must be a whole multiple of it)
 * @param min       lowest value the sensor reports (clamped); NaN = the quantity's range or none
 * @param max       highest value the sensor reports (clamped); NaN = the quantity's range or none
 */
public record ChannelProfile(String name, String unit, SensorModel model, double base, double amplitude,
                             double periodSeconds, double noise, double quantum, double rateHz, double min,
                             double max) {
    public ChannelProfile {
        Checks.id("channel name", name);
        Objects.requireNonNull(model, "model");
        requireFinite(name, "base", base);
        requireFinite(name, "amplitude", amplitude);
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw invalid(name, "noise must be a finite value >= 0, got " + noise);
        }
        if (!(quantum >= 0) || Double.isInfinite(quantum)) {
            throw invalid(name, "quantum must be a finite value >= 0, got " + quantum);
        }
        if (!(rateHz >= 0) || Double.isInfinite(rateHz)) {
            throw invalid(name, "rateHz must be >= 0, got " + rateHz);
        }
        if (model.isPhysical()) {
            Units.of(model.physical(), unit); // refuses a unit of another quantity
            if (base != 0 || amplitude != 0 || periodSeconds != 0) {
                throw invalid(name, "base, amplitude and period apply to the constant, sine and random_walk models, "
                        + "not to " + model.wireName());
            }
        } else if (amplitude != 0 && !(periodSeconds > 0)) {
            throw invalid(name, "a " + model.wireName() + " with an amplitude needs a period > 0");
        }
        if (!Double.isNaN(min) && !Double.isNaN(max) && min >= max) {
            throw invalid(name, "min must be below max, got " + min + " >= " + max);
        }
    }

    /** A channel reading one of the pump's quantities in its own unit, as the factory line does. */
    public static ChannelProfile physical(SensorChannel quantity) {
        SensorModel model = SensorModel.valueOf(quantity.name());
        return new ChannelProfile(quantity.wireName(), quantity.unit(), model, 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN);
    }

    /** The unit conversion from the pump's quantity (identity for a plain model). */
    public Units.Conversion conversion() {
        return model.isPhysical() ? Units.of(model.physical(), unit) : Units.Conversion.IDENTITY;
    }

    /** The lowest reported value: {@link #min} if given, else the quantity's range in this unit, else none. */
    public double low() {
        if (!Double.isNaN(min)) {
            return min;
        }
        return model.isPhysical() ? Math.min(conversion().apply(model.physical().min()), conversion().apply(model.physical().max()))
                : Double.NEGATIVE_INFINITY;
    }

    /** The highest reported value (see {@link #low()}). */
    public double high() {
        if (!Double.isNaN(max)) {
            return max;
        }
        return model.isPhysical() ? Math.max(conversion().apply(model.physical().min()), conversion().apply(model.physical().max()))
                : Double.POSITIVE_INFINITY;
    }

    private static void requireFinite(String channel, String field, double v) {
        if (!Double.isFinite(v)) {
            throw invalid(channel, field + " must be finite, got " + v);
        }
    }

    private static TandemException invalid(String channel, String message) {
        return TandemException.invalid("channel '" + channel + "': " + message);
    }
}
