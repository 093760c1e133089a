package dev.tandem.shared.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

import java.util.Locale;

/**
 * A device's progress with a model update ({@code model/state}), one message per transition:
 * DOWNLOADING while the artifact is fetched, VERIFYING once the manifest's origin is proven and the
 * artifact is checked, SHADOW while the candidate scores beside the active model (with its
 * {@link ShadowReport}, sent again as the figures grow), ACTIVE once it runs, FAILED with the stable
 * {@link ErrorCode} that refused it (the running model untouched), ROLLED_BACK when the device went
 * back to its previous model (its watchdog, a candidate worse in shadow, or the hub's reassignment),
 * with the reason.
 *
 * <p>{@code generation} and {@code rollout} name the signed manifest the report is about (null from
 * devices of version 2, and for assignments outside a rollout), so that the hub can tell a late report
 * of an earlier assignment from one of the current.
 *
 * <p>Version 3 added SHADOW and ROLLED_BACK, {@code generation}, {@code rollout} and {@code shadow};
 * version 2 messages are still read: their RECEIVED is VERIFYING and their REJECTED is FAILED.
 */
public record ModelState(int v, String site, String device, String version, State state, ErrorCode code, String reason,
                         long ts, Long generation, String rollout, ShadowReport shadow) {
    /** Version 2 added {@code code}; version 3 the rollout states and fields. */
    public static final int VERSION = 3;
    /** The oldest version read (see {@link Wire}). */
    public static final int MIN_VERSION = 2;
    public static final int MAX_REASON_CHARS = 500;

    /** What a device reports; the hub's rollout action states follow from these. */
    public enum State {
        DOWNLOADING, VERIFYING, SHADOW, ACTIVE, FAILED, ROLLED_BACK;

        /** Also reads version 2's names: RECEIVED is VERIFYING, REJECTED is FAILED. */
        @JsonCreator
        public static State of(String name) {
            if (name == null) {
                return null;
            }
            String n = name.trim().toUpperCase(Locale.ROOT);
            return switch (n) {
                case "RECEIVED" -> VERIFYING;
                case "REJECTED" -> FAILED;
                default -> {
                    try {
                        yield valueOf(n);
                    } catch (IllegalArgumentException e) {
                        throw TandemException.invalid("unknown model state '" + (n.length() > 40 ? n.substring(0, 40) : n)
                                + "' (one of DOWNLOADING, VERIFYING, SHADOW, ACTIVE, FAILED, ROLLED_BACK)");
                    }
                }
            };
        }
    }

    public ModelState {
        Checks.version("ModelState", v, MIN_VERSION, VERSION);
        v = VERSION;
        Checks.id("site", site);
        Checks.id("device", device);
        Checks.nonBlank("version", version);
        if (state == null) {
            throw TandemException.invalid("state is required");
        }
        if ((state == State.FAILED) && code == null) {
            throw TandemException.invalid("a FAILED state carries the error code that failed it");
        }
        if (code != null && state != State.FAILED && state != State.ROLLED_BACK) {
            throw TandemException.invalid("only FAILED and ROLLED_BACK carry an error code, not " + state);
        }
        if (state == State.ROLLED_BACK && (reason == null || reason.isBlank())) {
            throw TandemException.invalid("a ROLLED_BACK state says why");
        }
        if (reason != null && reason.length() > MAX_REASON_CHARS) {
            throw TandemException.invalid("reason longer than " + MAX_REASON_CHARS + " characters");
        }
        if (generation != null && generation < 1) {
            throw TandemException.invalid("generation must be >= 1, got " + generation);
        }
        if (rollout != null) {
            Checks.id("rollout", rollout);
        }
        if (shadow != null && state != State.SHADOW && state != State.ACTIVE && state != State.ROLLED_BACK) {
            throw TandemException.invalid("shadow figures come with SHADOW, ACTIVE or ROLLED_BACK, not " + state);
        }
    }

    private static ModelState of(String site, String device, String version, State state, ErrorCode code, String reason) {
        return new ModelState(VERSION, site, device, version, state, code, reason, System.currentTimeMillis(), null,
                null, null);
    }

    public static ModelState downloading(String site, String device, String version) {
        return of(site, device, version, State.DOWNLOADING, null, null);
    }

    /** DOWNLOADING with the progress of the fetch in its reason ("fetched HAVE of TOTAL bytes"). */
    public static ModelState downloading(String site, String device, String version, long have, long total,
                                         boolean resumed) {
        return of(site, device, version, State.DOWNLOADING, null, "fetched " + have + " of " + total + " bytes"
                + (resumed ? " (resumed from the partial download on disk)" : ""));
    }

    public static ModelState verifying(String site, String device, String version) {
        return of(site, device, version, State.VERIFYING, null, null);
    }

    public static ModelState shadow(String site, String device, String version, ShadowReport figures) {
        return of(site, device, version, State.SHADOW, null, null).withShadow(figures);
    }

    public static ModelState active(String site, String device, String version) {
        return of(site, device, version, State.ACTIVE, null, null);
    }

    public static ModelState failed(String site, String device, String version, ErrorCode code, String reason) {
        return of(site, device, version, State.FAILED, code, clip(reason));
    }

    /** @param version the model the device went back from */
    public static ModelState rolledBack(String site, String device, String version, ErrorCode code, String reason) {
        return of(site, device, version, State.ROLLED_BACK, code, clip(reason));
    }

    /** This report about the manifest of {@code generation} in {@code rollout} (null: none). */
    public ModelState about(Long generation, String rollout) {
        return new ModelState(v, site, device, version, state, code, reason, ts, generation, rollout, shadow);
    }

    public ModelState withShadow(ShadowReport figures) {
        return new ModelState(v, site, device, version, state, code, reason, ts, generation, rollout, figures);
    }

    private static String clip(String reason) {
        return reason == null || reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS);
    }
}
