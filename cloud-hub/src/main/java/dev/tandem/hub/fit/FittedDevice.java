package dev.tandem.hub.fit;

import dev.tandem.hub.large.LargeModel;
import dev.tandem.shared.tiny.TinyModel;

import java.util.Objects;

/**
 * A device's models fitted on its commissioning set. The large model holds native memory: whoever
 * takes this closes {@link #large()} (or hands it on) when done.
 *
 * @param tiny        the tiny model (shipped to the edge; the large model's PCA stage and view)
 * @param large       the large model, its {@link LargeModel#view()} the tiny model
 * @param fingerprint what the versions derive from ({@link ModelVersions#fingerprint})
 */
public record FittedDevice(TinyModel tiny, LargeModel large, String fingerprint) {
    public FittedDevice {
        Objects.requireNonNull(tiny, "tiny");
        Objects.requireNonNull(large, "large");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }
}
