package dev.tandem.hub.fit;

import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.hub.tiny.TinyFitConfig;

import java.util.Objects;

/**
 * How a device's models are fitted on its commissioning set: the tiny model (which is also the large
 * model's PCA stage and the hub's running view of the device), the large model, and which variant of
 * the tiny model each device class runs.
 */
public record FitSettings(TinyFitConfig tiny, LargeModelConfig large, ClassVariants variants) {
    public FitSettings {
        Objects.requireNonNull(tiny, "tiny");
        Objects.requireNonNull(large, "large");
        Objects.requireNonNull(variants, "variants");
    }

    /** The default variants per class. */
    public FitSettings(TinyFitConfig tiny, LargeModelConfig large) {
        this(tiny, large, ClassVariants.defaults());
    }

    /** What a hub started with its defaults fits on a Commissioning message. */
    public static FitSettings defaults() {
        return new FitSettings(TinyFitConfig.defaults(), LargeModelConfig.defaults());
    }

    public FitSettings withVariants(ClassVariants newVariants) {
        return new FitSettings(tiny, large, newVariants);
    }
}
