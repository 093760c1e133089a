package dev.tandem.hub.fleet;

import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.ModelState;

import java.time.Instant;

/**
 * What the hub last heard from or about a device.
 *
 * @param state           from its status (null until one arrived)
 * @param modelVersion    the model version it last reported running or updating to (null if none)
 * @param modelState      its last model-update progress (null if none)
 * @param assignedVersion the tiny-model version this hub fitted for it (null if none)
 * @param lastSeen        when the hub last received anything about it
 * @param windows         windows the device has scored, from its last status (0 until one arrived)
 * @param alarms          alarms it has raised, from its last status
 * @param escalations     windows it has escalated, from its last status
 */
public record DeviceView(DeviceId id, DeviceStatus.State state, String modelVersion, ModelState.State modelState,
                         String assignedVersion, Instant lastSeen, long windows, long alarms, long escalations) {

    /** Escalated share of the scored windows (NaN before the first window). */
    public double escalationRate() {
        return windows <= 0 ? Double.NaN : (double) escalations / windows;
    }
}
