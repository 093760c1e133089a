package dev.tandem.hub.rollout;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where one device stands in a rollout. The device reports each transition on its {@code model/state}
 * topic; only the transitions below are possible ({@link #canMoveTo}).
 *
 * <pre>
 * SCHEDULED ─▶ DOWNLOADING ─▶ VERIFYING ─▶ SHADOW ─▶ ACTIVE ─▶ ROLLED_BACK
 *     │             │             │  └──────────────▲  │
 *     ▼             ▼             ▼                     ▼
 *  CANCELED   FAILED/CANCELED  FAILED/CANCELED    FAILED, ROLLED_BACK, CANCELED (from SHADOW)
 * </pre>
 */
public enum ActionState {
    /** In a wave that has not reached the device yet. */
    SCHEDULED,
    /** Fetching the artifact (in chunks, resumable). */
    DOWNLOADING,
    /** Checking the signed manifest and the artifact's hash. */
    VERIFYING,
    /** Scoring beside the active model without deciding. */
    SHADOW,
    /** Running the new model. */
    ACTIVE,
    /** Refused or broken before going active (a stable error code says why); the previous model runs. */
    FAILED,
    /** Went back to the previous model (its watchdog, or the fleet's rollback). */
    ROLLED_BACK,
    /** Taken out of the rollout before it went active (abort). */
    CANCELED;

    /** States with no way out. ACTIVE is not one: an active model can still be rolled back. */
    public boolean isTerminal() {
        return this == FAILED || this == ROLLED_BACK || this == CANCELED;
    }

    /** Counted against a wave's error threshold. */
    public boolean isError() {
        return this == FAILED || this == ROLLED_BACK;
    }

    /** Counted towards a wave's success threshold. */
    public boolean isSuccess() {
        return this == ACTIVE;
    }

    /** The states this one may move to. */
    public Set<ActionState> next() {
        return switch (this) {
            case SCHEDULED -> EnumSet.of(DOWNLOADING, CANCELED);
            case DOWNLOADING -> EnumSet.of(VERIFYING, FAILED, CANCELED);
            // a wave with no shadow time goes from VERIFYING straight to ACTIVE
            case VERIFYING -> EnumSet.of(SHADOW, ACTIVE, FAILED, CANCELED);
            // the candidate found worse than the active model in shadow is rolled back
            case SHADOW -> EnumSet.of(ACTIVE, FAILED, ROLLED_BACK, CANCELED);
            case ACTIVE -> EnumSet.of(ROLLED_BACK);
            case FAILED, ROLLED_BACK, CANCELED -> EnumSet.noneOf(ActionState.class);
        };
    }

    public boolean canMoveTo(ActionState target) {
        return next().contains(target);
    }
}
