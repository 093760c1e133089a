package dev.tandem.shared.window;

import java.util.List;

/**
 * Extracts per-channel features of a window into a flat vector laid out feature-major:
 * {@code out[f * channels + c]} is feature f of channel c. Allocation-free.
 */
public final class WindowFeatures {
    private WindowFeatures() {
    }

    public static int dimension(List<Feature> features, int channels) {
        return features.size() * channels;
    }

    /** Features of the latest {@code n} samples of {@code window}. */
    public static void extract(SlidingWindow window, int n, List<Feature> features, double[] out) {
        extract(window, null, n, window.channels(), features, out);
    }

    /** Features of a window given as rows [sample][channel], oldest first. */
    public static void extract(double[][] rows, List<Feature> features, double[] out) {
        extract(null, rows, rows.length, rows[0].length, features, out);
    }

    /**
     * The one loop behind both entry points (the edge scores from its sliding window, the hub fits
     * and scores from rows: they must agree bit for bit). Reads sample i of n, oldest first, from
     * {@code window} if it is given, else from {@code rows}; no allocation, no call per value.
     */
    private static void extract(SlidingWindow window, double[][] rows, int n, int channels, List<Feature> features,
                                double[] out) {
        for (int c = 0; c < channels; c++) {
            double sum = 0, sumSq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sxy = 0;
            double last = 0;
            for (int i = 0; i < n; i++) {
                double x = window != null ? window.latest(n, i).value(c) : rows[i][c];
                sum += x;
                sumSq += x * x;
                if (x < min) min = x;
                if (x > max) max = x;
                sxy += (i - (n - 1) / 2.0) * x;
                last = x;
            }
            write(features, channels, c, n, sum, sumSq, min, max, sxy, last, out);
        }
    }

    private static void write(List<Feature> features, int channels, int c, int n, double sum, double sumSq,
                              double min, double max, double sxy, double last, double[] out) {
        double mean = sum / n;
        for (int f = 0; f < features.size(); f++) {
            double v = switch (features.get(f)) {
                case MEAN -> mean;
                case STD -> Math.sqrt(Math.max(0, sumSq / n - mean * mean));
                case MIN -> min;
                case MAX -> max;
                case LAST -> last;
                case SLOPE -> n < 2 ? 0 : sxy / (n * (n * (double) n - 1) / 12.0);
            };
            out[f * channels + c] = v;
        }
    }
}
