package dev.tandem.hub.fit;

import dev.tandem.hub.large.LargeModel;
import dev.tandem.hub.tiny.TinyModelFitter;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.wire.Commissioning;
import dev.tandem.shared.wire.Sample;

import java.util.List;
import java.util.Objects;

/**
 * The one way a device's models are fitted on its commissioning set (the hub's commissioning, the
 * evaluation, the benchmarks): versions from the samples and settings ({@link ModelVersions}), the
 * tiny model fitted once, and the large model trained with that tiny model as its PCA stage and view.
 * The device gets the variant of the tiny model for its class ({@link ClassVariants}: int8 or pruned for
 * small boards); the large model learns from the full-precision one.
 * Deterministic: the same set and settings give the same versions and models.
 */
public final class DeviceFitter {
    private DeviceFitter() {
    }

    /**
     * Fits the device of {@code commissioning}.
     *
     * @throws TandemException for a set the models cannot be fitted on (INVALID_FIELD: too few samples,
     *                         CHANNEL_MISMATCH, NON_FINITE_VALUE)
     */
    public static FittedDevice fit(Commissioning commissioning, FitSettings settings) {
        Objects.requireNonNull(commissioning, "commissioning");
        Objects.requireNonNull(settings, "settings");
        String fingerprint = ModelVersions.fingerprint(commissioning, settings);
        double[][] rows = rows(commissioning.samples());
        TinyModel tiny = TinyModelFitter.fit(rows, settings.tiny(), ModelVersions.tiny(fingerprint));
        LargeModel large = LargeModel.train(rows, settings.large(), ModelVersions.large(fingerprint), tiny);
        return new FittedDevice(variant(tiny, rows, settings, fingerprint, commissioning.deviceClass()), large,
                fingerprint);
    }

    /**
     * The tiny model alone, fitted exactly as {@link #fit} fits it (same version): what a rollout of a
     * fitting recipe ships to a device, without training a large model the hub does not swap.
     */
    public static dev.tandem.shared.tiny.TinyModel fitTiny(Commissioning commissioning, FitSettings settings) {
        Objects.requireNonNull(commissioning, "commissioning");
        Objects.requireNonNull(settings, "settings");
        String fingerprint = ModelVersions.fingerprint(commissioning, settings);
        double[][] rows = rows(commissioning.samples());
        return variant(TinyModelFitter.fit(rows, settings.tiny(), ModelVersions.tiny(fingerprint)), rows, settings,
                fingerprint, commissioning.deviceClass());
    }

    /**
     * The model a device of {@code deviceClass} runs, made from the full-precision {@code full} fitted on
     * {@code rows}: pruned (fitted again keeping the components that explain {@link ClassVariants#PRUNED_VARIANCE}
     * of the variance, version {@code <version>-p}), int8, both, or {@code full} itself. A full model with a
     * single component has nothing to prune and stays as it is.
     */
    static TinyModel variant(TinyModel full, double[][] rows, FitSettings settings, String fingerprint,
                             String deviceClass) {
        ClassVariants.Variant v = settings.variants().variantOf(deviceClass);
        TinyModel m = full;
        if (v.pruned() && full.components().length > 1
                && settings.tiny().varianceFraction() > ClassVariants.PRUNED_VARIANCE) {
            m = TinyModelFitter.fit(rows, settings.tiny().toBuilder().varianceFraction(ClassVariants.PRUNED_VARIANCE)
                    .build(), ModelVersions.tiny(fingerprint) + ClassVariants.PRUNED_SUFFIX);
        }
        return v.int8() ? m.quantized() : m;
    }

    /** The samples' values as rows [t][channel]. */
    public static double[][] rows(List<Sample> samples) {
        double[][] rows = new double[samples.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = samples.get(i).values();
        }
        return rows;
    }
}
