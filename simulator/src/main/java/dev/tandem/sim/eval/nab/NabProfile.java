package dev.tandem.sim.eval.nab;

import dev.tandem.shared.error.TandemException;

import java.util.List;

/**
 * A NAB application profile: the weights of a true positive (a detected window), a false positive
 * (a detection outside every window) and a false negative (a missed window). The names are NAB's.
 */
public record NabProfile(String name, double tpWeight, double fpWeight, double fnWeight) {
    public static final NabProfile STANDARD = new NabProfile("standard", 1.0, 0.11, 1.0);
    public static final NabProfile REWARD_LOW_FP = new NabProfile("reward_low_FP_rate", 1.0, 0.22, 1.0);
    public static final NabProfile REWARD_LOW_FN = new NabProfile("reward_low_FN_rate", 1.0, 0.11, 2.0);
    /** NAB's three profiles, standard first. */
    public static final List<NabProfile> ALL = List.of(STANDARD, REWARD_LOW_FP, REWARD_LOW_FN);

    public NabProfile {
        if (!(tpWeight > 0) || !(fpWeight >= 0) || !(fnWeight >= 0) || !Double.isFinite(tpWeight + fpWeight + fnWeight)) {
            throw TandemException.invalid("profile " + name + ": weights must be finite, tp > 0, fp and fn >= 0");
        }
    }

    /** A short name for tables: standard, low_FP, low_FN. */
    public String shortName() {
        return name.replace("reward_", "").replace("_rate", "");
    }
}
