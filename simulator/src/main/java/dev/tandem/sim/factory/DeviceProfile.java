package dev.tandem.sim.factory;

import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A device type: its sampling rate and its channels, in wire order. The default profile is the
 * factory line's pump: its five physical channels in their own units, which generates exactly the
 * stream of a plain {@link MachineSimulator}.
 */
public record DeviceProfile(String type, double rateHz, List<ChannelProfile> channels) {
    /** Highest sampling rate of a device. */
    public static final double MAX_RATE_HZ = 1000;
    /** Most channels on one device. */
    public static final int MAX_CHANNELS = 64;

    public DeviceProfile {
        Checks.id("device type", type);
        if (!(rateHz > 0 && rateHz <= MAX_RATE_HZ)) {
            throw TandemException.invalid("device type '" + type + "': rateHz must be in (0, " + MAX_RATE_HZ + "], got " + rateHz);
        }
        if (channels == null || channels.isEmpty() || channels.size() > MAX_CHANNELS) {
            throw TandemException.invalid("device type '" + type + "' needs 1.." + MAX_CHANNELS + " channels");
        }
        channels = List.copyOf(channels);
        Set<String> names = new HashSet<>();
        for (ChannelProfile c : channels) {
            if (!names.add(c.name())) {
                throw TandemException.invalid("device type '" + type + "': channel '" + c.name() + "' twice");
            }
            if (c.rateHz() > 0) {
                double ratio = rateHz / c.rateHz();
                if (ratio < 1 - 1e-9 || Math.abs(ratio - Math.rint(ratio)) > 1e-6) {
                    throw TandemException.invalid("device type '" + type + "': channel '" + c.name() + "' updates at "
                            + c.rateHz() + " Hz; the device's " + rateHz + " Hz must be a whole multiple of it");
                }
            }
        }
    }

    /** The factory line's pump at {@code rateHz}: its five channels, as {@link MachineSimulator} generates them. */
    public static DeviceProfile pump(double rateHz) {
        return new DeviceProfile("pump", rateHz, Arrays.stream(SensorChannel.values()).map(ChannelProfile::physical).toList());
    }

    /** Position of channel {@code name}, or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < channels.size(); i++) {
            if (channels.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Channel names in wire order. */
    public List<String> channelNames() {
        return channels.stream().map(ChannelProfile::name).toList();
    }

    /** Sample period in milliseconds (fractional for rates that do not divide 1000). */
    public double periodMillis() {
        return 1000.0 / rateHz;
    }
}
