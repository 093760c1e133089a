package dev.tandem.hub.rollout;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which devices a rollout is for: those of {@code site}, narrowed to a {@code deviceClass} (null:
 * every class), to a list of {@code devices} (empty: every device), and to a {@code share} of what
 * remains (1: all of it).
 */
public record RolloutTarget(String site, String deviceClass, List<String> devices, double share) {
    /** Most devices a target lists, and most a rollout holds. */
    public static final int MAX_DEVICES = 100_000;

    public RolloutTarget {
        Checks.id("site", site);
        if (deviceClass != null) {
            Checks.id("deviceClass", deviceClass);
        }
        devices = devices == null ? List.of() : List.copyOf(devices);
        if (devices.size() > MAX_DEVICES) {
            throw TandemException.invalid("a target lists at most " + MAX_DEVICES + " devices, got " + devices.size());
        }
        if (new TreeSet<>(devices).size() != devices.size()) {
            throw TandemException.invalid("a target lists a device twice");
        }
        devices.forEach(d -> Checks.id("device", d));
        if (!(share > 0 && share <= 1)) {
            throw TandemException.invalid("a target's share must be in (0, 1], got " + share);
        }
    }

    /** Every device of a site. */
    public static RolloutTarget site(String site) {
        return new RolloutTarget(site, null, List.of(), 1.0);
    }

    public RolloutTarget ofClass(String deviceClass) {
        return new RolloutTarget(site, deviceClass, devices, share);
    }

    public RolloutTarget share(double share) {
        return new RolloutTarget(site, deviceClass, devices, share);
    }

    public RolloutTarget devices(List<String> devices) {
        return new RolloutTarget(site, deviceClass, devices, share);
    }

    /**
     * The devices targeted among {@code known} (each known device and its class), in a fixed order (by
     * device id): {@link ErrorCode#UNKNOWN_DEVICE} if the list names a device the hub does not know,
     * {@link ErrorCode#INVALID_FIELD} if nothing is left (an empty target). A share keeps the first
     * {@code ceil(share * n)} of that order.
     */
    public List<DeviceId> select(Map<DeviceId, String> known) {
        Set<String> listed = Set.copyOf(devices);
        if (!listed.isEmpty()) {
            List<String> unknown = new ArrayList<>();
            for (String d : devices) {
                if (!known.containsKey(new DeviceId(site, d))) {
                    unknown.add(d);
                }
            }
            if (!unknown.isEmpty()) {
                throw new TandemException(ErrorCode.UNKNOWN_DEVICE, "the target names devices site " + site
                        + " does not have: " + (unknown.size() > 10 ? unknown.subList(0, 10) + " and "
                        + (unknown.size() - 10) + " more" : unknown));
            }
        }
        List<DeviceId> out = new ArrayList<>();
        for (Map.Entry<DeviceId, String> e : known.entrySet()) {
            DeviceId id = e.getKey();
            if (id.site().equals(site) && (deviceClass == null || deviceClass.equals(e.getValue()))
                    && (listed.isEmpty() || listed.contains(id.device()))) {
                out.add(id);
            }
        }
        out.sort(Comparator.comparing(DeviceId::device));
        int keep = (int) Math.ceil(share * out.size() - 1e-9);
        List<DeviceId> kept = List.copyOf(out.subList(0, Math.min(out.size(), keep)));
        if (kept.isEmpty()) {
            throw TandemException.invalid("the target (site " + site + (deviceClass == null ? "" : ", class "
                    + deviceClass) + (listed.isEmpty() ? "" : ", " + listed.size() + " listed devices")
                    + ") holds no device");
        }
        if (kept.size() > MAX_DEVICES) {
            throw TandemException.invalid("a rollout holds at most " + MAX_DEVICES + " devices, the target has "
                    + kept.size());
        }
        return kept;
    }
}
