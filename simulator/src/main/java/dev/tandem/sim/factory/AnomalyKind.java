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
    NOISE_BURST,
    /** A sensor's reading that wanders off linearly over the episode (calibration drift, fouling). Scripted only. */
    DRIFT,
    /** A sine added on the channels (a resonance, a hunting control loop). Scripted only. */
    OSCILLATION,
    /** The same cause on several channels at once, each with its own weight (a common-cause fault). Scripted only. */
    CORRELATED;

    /** The kinds the random planner of a {@link SimConfig} draws from (the others come only from a script). */
    public static final java.util.Set<AnomalyKind> RANDOM =
            java.util.Collections.unmodifiableSet(java.util.EnumSet.of(SPIKE, LEVEL_SHIFT, DEGRADATION, STUCK_SENSOR, NOISE_BURST));

    /** Lower-case name used in files, e.g. {@code level_shift}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
