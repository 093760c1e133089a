package dev.tandem.hub.rollout;

import dev.tandem.hub.fit.DeviceFitter;
import dev.tandem.hub.fit.FitSettings;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Commissioning;

import java.util.List;
import java.util.Locale;

/**
 * The fitting recipes a rollout may name: {@code default}, the hub's own fit settings (what
 * commissioning fits), optionally with parameters after colons:
 * <ul>
 *   <li>{@code threshold-quantile=Q}: the calibrated threshold at quantile Q in (0.5, 1) of the
 *       calibration scores instead of the hub's;</li>
 *   <li>{@code threshold-scale=S}: the fitted model's threshold scaled by S in [0.001, 1000] (below 1 it
 *       alarms more; {@code default:threshold-scale=0.02} alarms on nearly every window: the deliberately
 *       broken model of the bad-model scenario).</li>
 * </ul>
 * Each device gets its own model, fitted on its stored commissioning set through {@link DeviceFitter},
 * the one fit path; a recipe with other fit settings gives other versions (they derive from the settings),
 * a threshold scale appends {@code -t<scale>}.
 */
public final class Recipes {
    public static final String DEFAULT = "default";
    public static final List<String> NAMES = List.of(DEFAULT);
    public static final List<String> PARAMETERS = List.of("threshold-quantile", "threshold-scale");

    private final FitSettings base;

    /** @param base the hub's fit settings (what {@code default} fits) */
    public Recipes(FitSettings base) {
        this.base = base;
    }

    /** A recipe resolved: how it fits. */
    public record Recipe(String name, FitSettings settings, double thresholdScale) {
        /**
         * This recipe's model for a device, from its commissioning set (blocking, CPU: off the event loop). Other
         * fit settings give another version (it derives from them); a threshold scale appends {@code -t<scale>}
         * ({@link TinyModel#withThresholdScale}).
         */
        public TinyModel fit(Commissioning set) {
            TinyModel m = DeviceFitter.fitTiny(set, settings);
            return thresholdScale == 1.0 ? m : m.withThresholdScale(thresholdScale);
        }
    }

    /** The recipe a rollout names: {@link ErrorCode#INVALID_FIELD} for an unknown name or parameter. */
    public Recipe resolve(String name) {
        String[] parts = name.split(":", -1);
        if (!parts[0].equals(DEFAULT)) {
            throw unknown(name, "unknown recipe '" + parts[0] + "' (known: " + NAMES + ")");
        }
        FitSettings settings = base;
        double scale = 1.0;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 1) {
                throw unknown(name, "a recipe parameter is NAME=VALUE, got '" + parts[i] + "'");
            }
            String key = parts[i].substring(0, eq).toLowerCase(Locale.ROOT);
            double value;
            try {
                value = Double.parseDouble(parts[i].substring(eq + 1));
            } catch (NumberFormatException e) {
                throw unknown(name, "recipe parameter " + key + " is a number, got '" + parts[i].substring(eq + 1) + "'");
            }
            switch (key) {
                case "threshold-scale" -> {
                    if (!(value >= 0.001 && value <= 1000)) {
                        throw unknown(name, "threshold-scale must be in [0.001, 1000], got " + value);
                    }
                    scale = value;
                }
                case "threshold-quantile" -> {
                    if (!(value > 0.5 && value < 1)) {
                        throw unknown(name, "threshold-quantile must be in (0.5, 1), got " + value);
                    }
                    settings = new FitSettings(settings.tiny().toBuilder().thresholdQuantile(value).build(),
                            settings.large(), settings.variants());
                }
                default -> throw unknown(name, "unknown recipe parameter '" + key + "' (known: " + PARAMETERS + ")");
            }
        }
        return new Recipe(name, settings, scale);
    }

    private static TandemException unknown(String name, String why) {
        return new TandemException(ErrorCode.INVALID_FIELD, "recipe '" + (name.length() > 60 ? name.substring(0, 60)
                + "..." : name) + "': " + why);
    }
}
