package dev.tandem.hub.fleet;

import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.ModelState;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub's view of the fleet: each device's fitted models, and what the devices report
 * (status, model-update progress, last seen). Thread-safe.
 */
public final class FleetRegistry implements FleetView {
    private final Map<DeviceId, DeviceModels> models = new ConcurrentHashMap<>();
    private final Map<DeviceId, DeviceView> views = new ConcurrentHashMap<>();

    /** Installs a device's models; returns the ones they replace (whose large model the caller retires). */
    public Optional<DeviceModels> install(DeviceId id, DeviceModels m) {
        DeviceModels previous = models.put(id, m);
        views.compute(id, (k, v) -> v == null
                ? new DeviceView(id, null, null, null, m.tiny().version(), m.fittedAt(), 0, 0, 0)
                : new DeviceView(id, v.state(), v.modelVersion(), v.modelState(), m.tiny().version(), v.lastSeen(),
                v.windows(), v.alarms(), v.escalations()));
        return Optional.ofNullable(previous);
    }

    public Optional<DeviceModels> models(DeviceId id) {
        return Optional.ofNullable(models.get(id));
    }

    public Map<DeviceId, DeviceModels> allModels() {
        return Map.copyOf(models);
    }

    public int devicesWithModel() {
        return models.size();
    }

    /** Removes every device's models (on shutdown); the caller closes them. */
    public List<DeviceModels> clearModels() {
        List<DeviceModels> all = List.copyOf(models.values());
        models.clear();
        return all;
    }

    /** Devices whose last status was {@code state}. */
    public int devicesIn(DeviceStatus.State state) {
        int n = 0;
        for (DeviceView v : views.values()) {
            if (v.state() == state) {
                n++;
            }
        }
        return n;
    }

    public void onStatus(DeviceStatus s, Instant at) {
        DeviceId id = new DeviceId(s.site(), s.device());
        // an OFFLINE status (the last will) carries no counters: the last known ones are kept
        boolean counted = s.state() != DeviceStatus.State.OFFLINE;
        views.compute(id, (k, v) -> new DeviceView(id, s.state(),
                s.modelVersion() != null ? s.modelVersion() : v == null ? null : v.modelVersion(),
                v == null ? null : v.modelState(), v == null ? null : v.assignedVersion(), at,
                counted || v == null ? s.windows() : v.windows(), counted || v == null ? s.onsets() : v.alarms(),
                counted || v == null ? s.escalations() : v.escalations()));
    }

    public void onModelState(ModelState s, Instant at) {
        DeviceId id = new DeviceId(s.site(), s.device());
        views.compute(id, (k, v) -> new DeviceView(id, v == null ? null : v.state(),
                // the running version changes only when a model goes ACTIVE (RECEIVED and REJECTED leave it)
                s.state() != ModelState.State.ACTIVE && v != null ? v.modelVersion() : s.version(),
                s.state(), v == null ? null : v.assignedVersion(), at, v == null ? 0 : v.windows(),
                v == null ? 0 : v.alarms(), v == null ? 0 : v.escalations()));
    }

    @Override
    public Optional<DeviceView> view(DeviceId id) {
        return Optional.ofNullable(views.get(id));
    }

    @Override
    public Map<DeviceId, DeviceView> views() {
        return Map.copyOf(views);
    }
}
