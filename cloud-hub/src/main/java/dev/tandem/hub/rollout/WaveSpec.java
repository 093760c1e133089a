package dev.tandem.hub.rollout;

import dev.tandem.shared.error.TandemException;

/** One wave of a {@link WavePlan}: how far it reaches and when it is done. */
public record WaveSpec(WaveSize size, WaveGate gate) {
    public WaveSpec {
        if (size == null || gate == null) {
            throw TandemException.invalid("a wave has a size and a gate");
        }
    }
}
