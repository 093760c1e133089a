package dev.tandem.hub.fleet;

import dev.tandem.hub.large.LargeModel;
import dev.tandem.shared.tiny.TinyModel;

import java.time.Instant;
import java.util.Objects;

/** A device's models as fitted on its commissioning set: the tiny one it runs and the hub's large one. */
public record DeviceModels(TinyModel tiny, LargeModel large, Instant fittedAt) {
    public DeviceModels {
        Objects.requireNonNull(tiny, "tiny");
        Objects.requireNonNull(large, "large");
        Objects.requireNonNull(fittedAt, "fittedAt");
    }
}
