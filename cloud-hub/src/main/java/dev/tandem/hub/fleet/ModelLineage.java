package dev.tandem.hub.fleet;

import java.util.List;
import java.util.Optional;

/**
 * The models assigned to each device, newest first: what {@code GET /devices/{id}/models} shows.
 * The hub keeps it in memory ({@link InMemoryModelLineage}); a persistent store plugs in here.
 */
public interface ModelLineage {
    /**
     * Records an assignment: a new entry for a new version (its parent is the device's last one), or
     * the last entry re-issued when the version is the device's current one.
     */
    ModelRecord assigned(ModelRecord model);

    /** The device's models, newest first (empty for a device never assigned one). */
    List<ModelRecord> of(DeviceId device);

    /** The device's current (newest) model. */
    default Optional<ModelRecord> current(DeviceId device) {
        List<ModelRecord> all = of(device);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }
}
