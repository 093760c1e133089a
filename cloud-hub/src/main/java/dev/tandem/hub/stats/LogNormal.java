package dev.tandem.hub.stats;

/**
 * A log-normal fit: the mean and (sample) standard deviation of log(x), x floored at 1e-12.
 *
 * @param mu    mean of log(x)
 * @param sigma standard deviation of log(x) (n - 1 in the denominator, at least 1)
 */
public record LogNormal(double mu, double sigma) {
    public static LogNormal fit(double[] x) {
        double sum = 0, ss = 0;
        for (double v : x) {
            sum += Math.log(Math.max(v, 1e-12));
        }
        double mean = sum / x.length;
        for (double v : x) {
            double d = Math.log(Math.max(v, 1e-12)) - mean;
            ss += d * d;
        }
        return new LogNormal(mean, Math.sqrt(ss / Math.max(1, x.length - 1)));
    }

    /** exp(mu + z sigma): the quantile at the standard normal quantile z. */
    public double quantile(double z) {
        return Math.exp(mu + z * sigma);
    }
}
