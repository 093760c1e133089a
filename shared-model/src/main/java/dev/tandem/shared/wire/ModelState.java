package dev.tandem.shared.wire;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

/**
 * A device's progress with a model update ({@code model/state}): RECEIVED when an assignment
 * arrives, then ACTIVE once it runs or REJECTED with the stable {@link ErrorCode} that refused it
 * (and a human-readable reason). The running model is untouched by a rejection.
 */
public record ModelState(int v, String site, String device, String version, State state, ErrorCode code, String reason,
                         long ts) {
    /** Version 2 added {@code code}. */
    public static final int VERSION = 2;

    public enum State { RECEIVED, ACTIVE, REJECTED }

    public ModelState {
        Checks.version("ModelState", v, VERSION);
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.nonBlank("version", version);
        if (state == null) {
            throw TandemException.invalid("state is required");
        }
        if ((state == State.REJECTED) != (code != null)) {
            throw TandemException.invalid("a REJECTED state carries an error code, no other state does (state "
                    + state + ", code " + code + ")");
        }
    }

    public static ModelState received(String site, String device, String version) {
        return new ModelState(VERSION, site, device, version, State.RECEIVED, null, null, System.currentTimeMillis());
    }

    public static ModelState active(String site, String device, String version) {
        return new ModelState(VERSION, site, device, version, State.ACTIVE, null, null, System.currentTimeMillis());
    }

    public static ModelState rejected(String site, String device, String version, ErrorCode code, String reason) {
        return new ModelState(VERSION, site, device, version, State.REJECTED, code, reason, System.currentTimeMillis());
    }
}
