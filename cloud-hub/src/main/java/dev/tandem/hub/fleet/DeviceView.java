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
 */
public record DeviceView(DeviceId id, DeviceStatus.State state, String modelVersion, ModelState.State modelState,
                         String assignedVersion, Instant lastSeen) {
}
