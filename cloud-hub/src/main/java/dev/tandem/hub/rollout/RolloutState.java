package dev.tandem.hub.rollout;

import java.util.EnumSet;
import java.util.Set;

/** Where a rollout as a whole stands; pause, resume and abort are commands, the rest follow its waves. */
public enum RolloutState {
    /** Planned, not started. */
    READY,
    /** A wave is under way. */
    RUNNING,
    /** Stopped by command; {@link #RUNNING} again on resume. */
    PAUSED,
    /** Every wave promoted. */
    FINISHED,
    /** A wave hit its error threshold or timed out: the devices are being sent back to the last good model. */
    STOPPED,
    /** Every device of the rollout is back on its last good model. */
    ROLLED_BACK,
    /** Ended by command: devices not yet active are CANCELED, the active ones keep the new model. */
    ABORTED;

    public Set<RolloutState> next() {
        return switch (this) {
            case READY -> EnumSet.of(RUNNING, ABORTED);
            case RUNNING -> EnumSet.of(PAUSED, FINISHED, STOPPED, ABORTED);
            case PAUSED -> EnumSet.of(RUNNING, STOPPED, ABORTED);
            case STOPPED -> EnumSet.of(ROLLED_BACK);
            case FINISHED, ROLLED_BACK, ABORTED -> EnumSet.noneOf(RolloutState.class);
        };
    }

    public boolean canMoveTo(RolloutState target) {
        return next().contains(target);
    }

    public boolean isTerminal() {
        return next().isEmpty();
    }
}
