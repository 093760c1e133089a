package dev.tandem.hub.rollout;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Checks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A planned rollout: what changes, for whom, in which waves, and where it stands. Immutable; a
 * change of state is a new value ({@link #moveTo}). The per-device actions are kept beside it
 * ({@link #scheduledActions}), one per device of its waves.
 *
 * @param currentWave the wave under way (or the last one reached); -1 before the start
 */
public record Rollout(String id, String name, RolloutChange change, RolloutTarget target, List<Wave> waves,
                      RolloutState state, int currentWave, Instant createdAt, String createdBy) {
    public static final int MAX_NAME_CHARS = 200;

    public Rollout {
        Checks.id("rollout id", id);
        if (name == null || name.isBlank() || name.length() > MAX_NAME_CHARS) {
            throw TandemException.invalid("a rollout's name is 1.." + MAX_NAME_CHARS + " characters");
        }
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Checks.id("createdBy", createdBy);
        waves = List.copyOf(waves);
        if (waves.isEmpty()) {
            throw TandemException.invalid("a rollout has at least one wave");
        }
        if (currentWave < -1 || currentWave >= waves.size()) {
            throw TandemException.invalid("currentWave must be -1.." + (waves.size() - 1) + ", got " + currentWave);
        }
    }

    /**
     * Plans a rollout over the devices the hub knows ({@code known}: each device and its class): the
     * target's devices, cut into the plan's waves by its rounding rule. READY, before its first wave.
     */
    public static Rollout plan(String id, String name, RolloutChange change, RolloutTarget target, WavePlan plan,
                               Map<DeviceId, String> known, String createdBy, Instant at) {
        List<DeviceId> devices = target.select(known);
        List<Integer> counts = plan.counts(devices.size());
        List<Wave> waves = new ArrayList<>(counts.size());
        int from = 0;
        for (int i = 0; i < counts.size(); i++) {
            int to = counts.get(i);
            waves.add(new Wave(i, devices.subList(from, to), to, plan.waves().get(i).gate()));
            from = to;
        }
        return new Rollout(id, name, change, target, waves, RolloutState.READY, -1, at, createdBy);
    }

    /** One SCHEDULED action per device of every wave. */
    public List<DeviceAction> scheduledActions() {
        List<DeviceAction> out = new ArrayList<>(deviceCount());
        for (Wave w : waves) {
            for (DeviceId d : w.devices()) {
                out.add(DeviceAction.scheduled(id, d, w.index(), createdAt));
            }
        }
        return out;
    }

    public int deviceCount() {
        return waves.get(waves.size() - 1).reach();
    }

    /** The rollout in {@code next}: {@link ErrorCode#INVALID_STATE_TRANSITION} if it cannot go there. */
    public Rollout moveTo(RolloutState next) {
        if (next == null || !state.canMoveTo(next)) {
            throw new TandemException(ErrorCode.INVALID_STATE_TRANSITION, "rollout " + id + " cannot go from " + state
                    + " to " + next);
        }
        int wave = next == RolloutState.RUNNING && currentWave < 0 ? 0 : currentWave;
        return new Rollout(id, name, change, target, waves, next, wave, createdAt, createdBy);
    }

    /** The next wave under way (after its predecessor was promoted); {@link ErrorCode#INVALID_STATE_TRANSITION} past the last. */
    public Rollout nextWave() {
        if (state != RolloutState.RUNNING || currentWave + 1 >= waves.size()) {
            throw new TandemException(ErrorCode.INVALID_STATE_TRANSITION, "rollout " + id + " (" + state + ", wave "
                    + (currentWave + 1) + " of " + waves.size() + ") has no next wave to start");
        }
        return new Rollout(id, name, change, target, waves, state, currentWave + 1, createdAt, createdBy);
    }
}
