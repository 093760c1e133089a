package dev.tandem.hub.fit;

import dev.tandem.hub.large.LargeModelConfig;
import dev.tandem.hub.tiny.TinyFitConfig;

import java.util.Objects;

/**
 * How a device's models are fitted on its commissioning set: the tiny model (which is also the large
 * model's PCA stage and the hub's running view of the device) and the large model.
 */
public record FitSettings(TinyFitConfig tiny, LargeModelConfig large) {
    public FitSettings {
        Objects.requireNonNull(tiny, "tiny");
        Objects.requireNonNull(large, "large");
    }

    /** What a hub started with its defaults fits on a Commissioning message. */
    public static FitSettings defaults() {
        return new FitSettings(TinyFitConfig.defaults(), LargeModelConfig.defaults());
    }
}
