package dev.tandem.hub.fleet;

import dev.tandem.hub.large.LargeModel;
import dev.tandem.shared.tiny.TinyModel;

import java.time.Instant;
import java.util.Objects;

/**
 * A device's models as fitted on its commissioning set: the tiny one it runs and the hub's large
 * one, and the device's class (what its manifests are signed for).
 */
public record DeviceModels(TinyModel tiny, LargeModel large, String deviceClass, Instant fittedAt) {
    public DeviceModels {
        Objects.requireNonNull(tiny, "tiny");
        Objects.requireNonNull(deviceClass, "deviceClass");
        Objects.requireNonNull(large, "large");
        Objects.requireNonNull(fittedAt, "fittedAt");
    }
}
