package dev.tandem.hub.rollout;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.error.TandemException;

import java.util.List;

/**
 * One wave of a planned rollout.
 *
 * @param index   0 for the first wave
 * @param devices the devices this wave adds (the earlier waves' devices are not repeated)
 * @param reach   devices reached once this wave is done, cumulatively
 */
public record Wave(int index, List<DeviceId> devices, int reach, WaveGate gate) {
    public Wave {
        devices = List.copyOf(devices);
        if (index < 0 || devices.isEmpty() || reach < devices.size() || gate == null) {
            throw TandemException.invalid("a wave adds at least one device and reaches at least those");
        }
    }
}
