package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;

/** A device's state ({@code status}, retained; the MQTT last will publishes OFFLINE). */
public record DeviceStatus(int v, String site, String device, State state, String modelVersion, long windows,
                           long alarms, long escalations, long ts) {
    public static final int VERSION = 1;

    public enum State { COMMISSIONING, DETECTING, OFFLINE }

    public DeviceStatus {
        Checks.version("DeviceStatus", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        if (state == null) {
            throw TandemException.invalid("state is required");
        }
    }

    public static DeviceStatus offline(String site, String device) {
        return new DeviceStatus(VERSION, site, device, State.OFFLINE, null, 0, 0, 0, 0);
    }
}
