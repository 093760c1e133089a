package dev.tandem.hub.stats;

import java.util.Arrays;

/** Empirical quantiles. */
public final class Quantiles {
    private Quantiles() {
    }

    /** Empirical quantile with linear interpolation between order statistics (R type 7). */
    public static double quantile(double[] values, double p) {
        double[] s = values.clone();
        Arrays.sort(s);
        double h = (s.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (h - lo) * (s[hi] - s[lo]);
    }
}
