package dev.tandem.hub.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

/** How a wave stands: its devices' actions counted by state, and what that decides ({@link #decide}). */
public record WaveProgress(int devices, Map<ActionState, Integer> byState) {
    public enum Decision {
        /** Enough devices ACTIVE: the next wave may start. */
        PROMOTE,
        /** Too many FAILED or ROLLED_BACK: stop the rollout and roll it back. */
        STOP,
        /** Neither within the wave's timeout: stop the rollout. */
        TIMED_OUT,
        /** Still going. */
        WAIT
    }

    public WaveProgress {
        byState = Map.copyOf(byState);
    }

    /** The wave's own devices' actions (actions of other waves are ignored). */
    public static WaveProgress of(Wave wave, Collection<DeviceAction> actions) {
        Map<ActionState, Integer> counts = new EnumMap<>(ActionState.class);
        for (ActionState s : ActionState.values()) {
            counts.put(s, 0);
        }
        for (DeviceAction a : actions) {
            if (a.wave() == wave.index()) {
                counts.merge(a.state(), 1, Integer::sum);
            }
        }
        return new WaveProgress(wave.devices().size(), counts);
    }

    public int count(ActionState state) {
        return byState.getOrDefault(state, 0);
    }

    /** Share of the wave's devices ACTIVE. */
    public double successShare() {
        return (double) count(ActionState.ACTIVE) / devices;
    }

    /** Share of the wave's devices FAILED or ROLLED_BACK. */
    public double errorShare() {
        return (double) (count(ActionState.FAILED) + count(ActionState.ROLLED_BACK)) / devices;
    }

    /**
     * STOP once the error share exceeds the gate's error threshold (checked first: a wave can hold both),
     * PROMOTE once the success share reaches the success threshold, TIMED_OUT past {@code startedAt +
     * timeout}, WAIT otherwise.
     */
    public Decision decide(WaveGate gate, Instant startedAt, Instant now) {
        if (errorShare() > gate.errorThreshold()) {
            return Decision.STOP;
        }
        if (successShare() >= gate.successThreshold()) {
            return Decision.PROMOTE;
        }
        if (Duration.between(startedAt, now).compareTo(gate.timeout()) >= 0) {
            return Decision.TIMED_OUT;
        }
        return Decision.WAIT;
    }
}
