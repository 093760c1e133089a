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
 * The device gets the variant of the tiny model for its class ({@link ClassVariants}: int8 for small
 * boards); the large model learns from the full-precision one.
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
        return new FittedDevice(settings.variants().apply(tiny, commissioning.deviceClass()), large, fingerprint);
    }

    /**
     * The tiny model alone, fitted exactly as {@link #fit} fits it (same version): what a rollout of a
     * fitting recipe ships to a device, without training a large model the hub does not swap.
     */
    public static dev.tandem.shared.tiny.TinyModel fitTiny(Commissioning commissioning, FitSettings settings) {
        Objects.requireNonNull(commissioning, "commissioning");
        Objects.requireNonNull(settings, "settings");
        String fingerprint = ModelVersions.fingerprint(commissioning, settings);
        return settings.variants().apply(TinyModelFitter.fit(rows(commissioning.samples()), settings.tiny(),
                ModelVersions.tiny(fingerprint)), commissioning.deviceClass());
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
