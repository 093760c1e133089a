package dev.tandem.sim.replay;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;

/** A replay's pace as the user writes it: a number > 0 (recorded seconds per wall second) or {@code max}. */
public final class ReplaySpeed {
    private ReplaySpeed() {
    }

    /**
     * The pace {@code speed} names (infinite for {@code max}).
     *
     * @param what what the value came from, named in the error ({@code --speed}, {@code speed})
     * @param code the error's code when {@code speed} is neither
     */
    public static double parse(String what, String speed, ErrorCode code) {
        if ("max".equalsIgnoreCase(speed)) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            double v = Double.parseDouble(speed);
            if (v > 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // below
        }
        throw new TandemException(code, what + " must be a number > 0 or max, got '" + speed + "'");
    }
}
