package dev.tandem.hub.fleet;

import dev.tandem.shared.wire.Checks;

/** A device of a site: the key of everything the hub keeps per device. */
public record DeviceId(String site, String device) {
    public DeviceId {
        Checks.id("site", site);
        Checks.id("device", device);
    }

    @Override
    public String toString() {
        return site + "/" + device;
    }
}
