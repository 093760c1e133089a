package dev.tandem.hub.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ModelLineage} in memory, the newest {@value #MAX_PER_DEVICE} models of each device. Thread-safe. */
public final class InMemoryModelLineage implements ModelLineage {
    /** Entries kept per device (older ones are dropped). */
    public static final int MAX_PER_DEVICE = 32;

    private final Map<DeviceId, List<ModelRecord>> byDevice = new ConcurrentHashMap<>();

    @Override
    public ModelRecord assigned(ModelRecord model) {
        ModelRecord[] out = new ModelRecord[1];
        byDevice.compute(model.device(), (id, list) -> {
            List<ModelRecord> next = list == null ? new ArrayList<>() : new ArrayList<>(list);
            ModelRecord last = next.isEmpty() ? null : next.get(0);
            if (last != null && last.version().equals(model.version())) {
                out[0] = last.reissued(model.generation(), model.issuedAt());
                next.set(0, out[0]);
            } else {
                out[0] = new ModelRecord(model.device(), model.version(), last == null ? null : last.version(),
                        model.generation(), model.deviceClass(), model.fittedAt(), model.issuedAt(),
                        model.largeVersion(), model.tinyParameters(), model.largeParameters());
                next.add(0, out[0]);
                if (next.size() > MAX_PER_DEVICE) {
                    next.remove(next.size() - 1);
                }
            }
            return List.copyOf(next);
        });
        return out[0];
    }

    @Override
    public List<ModelRecord> of(DeviceId device) {
        return byDevice.getOrDefault(device, List.of());
    }
}
