package dev.tandem.hub.rollout;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.time.Instant;
import java.util.Objects;

/**
 * One device's part in a rollout: its wave, its {@link ActionState} and since when, and for a failure
 * the stable code and the reason the device reported.
 *
 * @param code   set for FAILED (what refused the model), and optionally for ROLLED_BACK; null otherwise
 * @param reason a person's account (at most {@value #MAX_REASON_CHARS} characters), required for ROLLED_BACK
 */
public record DeviceAction(String rolloutId, DeviceId device, int wave, ActionState state, Instant since,
                           ErrorCode code, String reason) {
    public static final int MAX_REASON_CHARS = 500;

    public DeviceAction {
        Objects.requireNonNull(rolloutId, "rolloutId");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        if (wave < 0) {
            throw TandemException.invalid("wave must be >= 0, got " + wave);
        }
        if (state == ActionState.FAILED && code == null) {
            throw TandemException.invalid(device + ": a FAILED action carries the error code that failed it");
        }
        if (code != null && !state.isError()) {
            throw TandemException.invalid(device + ": only FAILED and ROLLED_BACK carry an error code, not " + state);
        }
        if (state == ActionState.ROLLED_BACK && (reason == null || reason.isBlank())) {
            throw TandemException.invalid(device + ": a ROLLED_BACK action says why");
        }
        if (reason != null && reason.length() > MAX_REASON_CHARS) {
            throw TandemException.invalid(device + ": reason longer than " + MAX_REASON_CHARS + " characters");
        }
    }

    public static DeviceAction scheduled(String rolloutId, DeviceId device, int wave, Instant at) {
        return new DeviceAction(rolloutId, device, wave, ActionState.SCHEDULED, at, null, null);
    }

    /** The action moved to {@code next} at {@code at}: {@link ErrorCode#INVALID_STATE_TRANSITION} if it cannot. */
    public DeviceAction moveTo(ActionState next, Instant at) {
        return moveTo(next, at, null, null);
    }

    public DeviceAction moveTo(ActionState next, Instant at, ErrorCode failure, String why) {
        if (next == null || !state.canMoveTo(next)) {
            throw new TandemException(ErrorCode.INVALID_STATE_TRANSITION, device + " in rollout " + rolloutId
                    + " cannot go from " + state + " to " + next + " (from " + state + ": "
                    + (state.next().isEmpty() ? "none, it is final" : state.next()) + ")");
        }
        return new DeviceAction(rolloutId, device, wave, next, Objects.requireNonNull(at, "at"), failure, why);
    }
}
