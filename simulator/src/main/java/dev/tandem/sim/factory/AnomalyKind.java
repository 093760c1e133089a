package dev.tandem.sim.factory;

/** The kinds of fault the generator injects, each labelled in the ground truth. */
public enum AnomalyKind {
    /** A few samples far off on one or two channels (an electrical glitch, an impact). */
    SPIKE,
    /** A sudden, sustained offset on one or more channels (a clogged filter, a changed setpoint). */
    LEVEL_SHIFT,
    /** A drift that grows over the episode on physically linked channels (bearing wear, pump wear). */
    DEGRADATION,
    /** One channel frozen at the value it had when the episode started. */
    STUCK_SENSOR,
    /** Noise several times the channel's normal noise (a loose connector, cavitation). */
    NOISE_BURST
}
