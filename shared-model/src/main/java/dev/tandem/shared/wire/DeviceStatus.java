package dev.tandem.shared.wire;

import dev.tandem.shared.error.TandemException;

/**
 * A device's state ({@code status}, retained; the MQTT last will publishes OFFLINE), with its alarm
 * episodes counted: {@code onsets} raised, {@code clears} and {@code rebaselines} that ended one, and
 * the id of the episode holding now ({@code episode}, null when none).
 */
public record DeviceStatus(int v, String site, String device, State state, String modelVersion, long windows,
                           long onsets, long clears, long rebaselines, String episode, long escalations, long ts) {
    public static final int VERSION = 2;

    public enum State { COMMISSIONING, DETECTING, OFFLINE }

    public DeviceStatus {
        Checks.version("DeviceStatus", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        if (state == null) {
            throw TandemException.invalid("state is required");
        }
        if (windows < 0 || onsets < 0 || clears < 0 || rebaselines < 0 || escalations < 0) {
            throw TandemException.invalid("counts must be >= 0");
        }
        if (clears + rebaselines > onsets) {
            throw TandemException.invalid("more episodes ended (" + (clears + rebaselines) + ") than raised (" + onsets + ")");
        }
        if (episode != null) {
            Checks.id("episode", episode);
        }
    }

    public static DeviceStatus offline(String site, String device) {
        return new DeviceStatus(VERSION, site, device, State.OFFLINE, null, 0, 0, 0, 0, null, 0, 0);
    }
}
