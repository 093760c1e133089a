package dev.tandem.hub.rollout;

import dev.tandem.shared.error.TandemException;

/**
 * How far a wave reaches, cumulatively: a number of devices or a share of the rollout's target.
 * Exactly one of {@code devices} (at least 1) and {@code share} (in (0, 1]) is set, the other 0.
 */
public record WaveSize(int devices, double share) {
    public WaveSize {
        boolean byCount = devices > 0;
        boolean byShare = share > 0;
        if (byCount == byShare || devices < 0 || !(share >= 0 && share <= 1)) {
            throw TandemException.invalid("a wave reaches a number of devices (>= 1) or a share in (0, 1] of the "
                    + "target, got devices " + devices + ", share " + share);
        }
    }

    public static WaveSize devices(int n) {
        return new WaveSize(n, 0);
    }

    public static WaveSize share(double s) {
        return new WaveSize(0, s);
    }

    /**
     * A size as operators write it: {@code 3} (devices) or {@code 5%} (a share of the target); INVALID_FIELD
     * for anything else.
     */
    public static WaveSize parse(String text) {
        String s = text == null ? "" : text.trim();
        try {
            if (s.endsWith("%")) {
                return share(Double.parseDouble(s.substring(0, s.length() - 1)) / 100.0);
            }
            return devices(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            throw TandemException.invalid("a wave is a number of devices (1) or a share (\"5%\"), got '" + text + "'");
        }
    }

    public boolean isShare() {
        return share > 0;
    }

    /** Devices this size reaches of {@code total}, before the plan's one-more-than-the-last rule: rounded up. */
    public int reach(int total) {
        // the small epsilon keeps 0.05 * 100 at 5 (floating point gives 5.000000000000001)
        return isShare() ? (int) Math.min(total, Math.ceil(share * total - 1e-9)) : Math.min(total, devices);
    }

    @Override
    public String toString() {
        return isShare() ? Math.round(share * 1000) / 10.0 + "%" : devices + (devices == 1 ? " device" : " devices");
    }
}
