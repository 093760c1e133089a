package dev.tandem.hub.fleet;

import java.util.Map;
import java.util.Optional;

/** What the hub knows of each device, read side (the REST API reads the fleet through this). */
public interface FleetView {
    Optional<DeviceView> view(DeviceId id);

    /** Every device the hub has heard of (a copy). */
    Map<DeviceId, DeviceView> views();
}
