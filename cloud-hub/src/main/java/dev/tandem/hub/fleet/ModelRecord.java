package dev.tandem.hub.fleet;

import java.time.Instant;
import java.util.Objects;

/**
 * One model a hub fitted and assigned to a device: an entry of the device's lineage.
 *
 * @param version       the tiny model's version (content hash)
 * @param parentVersion the version the device had been assigned before (null: its first model)
 * @param generation    the generation of the last signed manifest issued for it (issue time in ms)
 * @param deviceClass   the class the manifest is signed for
 * @param fittedAt      when the hub fitted it
 * @param issuedAt      when the hub last signed an assignment of it
 * @param largeVersion  the hub's large model fitted beside it
 */
public record ModelRecord(DeviceId device, String version, String parentVersion, long generation, String deviceClass,
                          Instant fittedAt, Instant issuedAt, String largeVersion, long tinyParameters,
                          long largeParameters) {
    public ModelRecord {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(deviceClass, "deviceClass");
        Objects.requireNonNull(fittedAt, "fittedAt");
        Objects.requireNonNull(issuedAt, "issuedAt");
    }

    /** The same model issued again under a newer manifest. */
    public ModelRecord reissued(long generation, Instant at) {
        return new ModelRecord(device, version, parentVersion, generation, deviceClass, fittedAt, at, largeVersion,
                tinyParameters, largeParameters);
    }
}
