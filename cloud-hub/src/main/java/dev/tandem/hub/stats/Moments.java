package dev.tandem.hub.stats;

/**
 * Mean and (population) standard deviation of one column of a table, two-pass.
 *
 * @param mean the column mean
 * @param std  sqrt(mean squared deviation from the mean)
 */
public record Moments(double mean, double std) {
    /** Of column {@code column} over rows [from, to) of {@code table} (rows [t][column]). */
    public static Moments of(double[][] table, int from, int to, int column) {
        int n = to - from;
        double sum = 0;
        for (int t = from; t < to; t++) {
            sum += table[t][column];
        }
        double mean = sum / n;
        double ss = 0;
        for (int t = from; t < to; t++) {
            double e = table[t][column] - mean;
            ss += e * e;
        }
        return new Moments(mean, Math.sqrt(ss / n));
    }

    /**
     * The standard deviation floored at {@code 1e-6 * max(1, |mean|)}: a scale to standardize with,
     * so that a constant column gives neither 0 nor NaN.
     */
    public double scale() {
        return Math.max(std, 1e-6 * Math.max(1.0, Math.abs(mean)));
    }
}
