package dev.tandem.hub.tiny;

import dev.tandem.shared.wire.ErrorCode;
import dev.tandem.shared.wire.TandemException;
import dev.tandem.shared.window.Feature;

import java.util.HashSet;
import java.util.List;

/**
 * How a device's tiny model is fitted on its commissioning rows.
 *
 * @param windowSize        samples per window (stride 1 over the commissioning rows)
 * @param features          per-channel window features, in artifact order (no duplicates)
 * @param varianceFraction  PCA keeps the fewest components explaining this fraction of the
 *                          standardized feature variance (at least 1, at most d - 1)
 * @param limitQuantile     T2 and Q limits are this empirical quantile of the commissioning T2 and Q
 * @param thresholdQuantile the calibrated score 1.0 (the edge threshold) sits at this empirical
 *                          quantile of the commissioning raw scores
 * @param smoothing         exponential score smoothing shipped with the model, in [0, 1)
 * @param lower             escalation band: scores below are NORMAL (must be in (0, 1])
 * @param upper             escalation band: scores at or above are ANOMALY (must be >= 1)
 */
public record TinyFitConfig(int windowSize, List<Feature> features, double varianceFraction, double limitQuantile,
                            double thresholdQuantile, double smoothing, double lower, double upper) {
    public static final List<Feature> DEFAULT_FEATURES = List.of(Feature.MEAN, Feature.STD, Feature.SLOPE);

    public TinyFitConfig {
        if (windowSize < 2) {
            throw invalid("windowSize must be >= 2, got " + windowSize);
        }
        if (features == null || features.isEmpty()) {
            throw invalid("features must not be empty");
        }
        features = List.copyOf(features);
        if (new HashSet<>(features).size() != features.size()) {
            throw invalid("features must not repeat: " + features);
        }
        if (!(varianceFraction > 0 && varianceFraction <= 1)) {
            throw invalid("varianceFraction must be in (0, 1], got " + varianceFraction);
        }
        if (!(limitQuantile > 0.5 && limitQuantile <= 1)) {
            throw invalid("limitQuantile must be in (0.5, 1], got " + limitQuantile);
        }
        if (!(thresholdQuantile > 0.5 && thresholdQuantile <= 1)) {
            throw invalid("thresholdQuantile must be in (0.5, 1], got " + thresholdQuantile);
        }
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw invalid("smoothing must be in [0, 1), got " + smoothing);
        }
        if (!(lower > 0 && lower <= 1) || !(upper >= 1 && Double.isFinite(upper))) {
            throw invalid("need 0 < lower <= 1 <= upper, got lower " + lower + ", upper " + upper);
        }
    }

    /** The defaults with another window size (kept for callers of the first skeleton). */
    public TinyFitConfig(int windowSize) {
        this(windowSize, DEFAULT_FEATURES, 0.99, 0.99, 0.995, 0.0, 0.6, 2.0);
    }

    /** Window 10, MEAN/STD/SLOPE, 99% variance, 99% limits, threshold at the 99.5% quantile, band [0.6, 2.0). */
    public static TinyFitConfig defaults() {
        return new TinyFitConfig(10);
    }

    public TinyFitConfig withWindowSize(int newWindowSize) {
        return new TinyFitConfig(newWindowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper);
    }

    public TinyFitConfig withFeatures(List<Feature> newFeatures) {
        return new TinyFitConfig(windowSize, newFeatures, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, lower, upper);
    }

    public TinyFitConfig withBand(double newLower, double newUpper) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                smoothing, newLower, newUpper);
    }

    public TinyFitConfig withSmoothing(double newSmoothing) {
        return new TinyFitConfig(windowSize, features, varianceFraction, limitQuantile, thresholdQuantile,
                newSmoothing, lower, upper);
    }

    private static TandemException invalid(String message) {
        return new TandemException(ErrorCode.INVALID_CONFIG, message);
    }
}
