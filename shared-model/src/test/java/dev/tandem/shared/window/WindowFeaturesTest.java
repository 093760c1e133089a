package dev.tandem.shared.window;

import dev.tandem.shared.wire.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WindowFeaturesTest {
    private static final List<Feature> ALL = List.of(Feature.values());

    /** The loop as it stood before the window and rows paths were merged: the figures must not move by one bit. */
    private static double[] reference(double[][] rows, List<Feature> features) {
        int n = rows.length;
        int channels = rows[0].length;
        double[] out = new double[features.size() * channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0, sumSq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sxy = 0;
            double last = 0;
            for (int i = 0; i < n; i++) {
                double x = rows[i][c];
                sum += x;
                sumSq += x * x;
                if (x < min) min = x;
                if (x > max) max = x;
                sxy += (i - (n - 1) / 2.0) * x;
                last = x;
            }
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
        return out;
    }

    private static void assertBitIdentical(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    what + " at " + i + ": " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void extract_fromWindowAndFromRows_areBitIdenticalToTheReferenceLoop() {
        SplittableRandom random = new SplittableRandom(42);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(64);
            int channels = 1 + random.nextInt(8);
            int extra = random.nextInt(10);
            SlidingWindow window = new SlidingWindow(n + extra, channels);
            double[][] all = new double[n + extra + 5][channels];
            for (int i = 0; i < all.length; i++) {
                for (int c = 0; c < channels; c++) {
                    all[i][c] = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(7) - 3);
                }
                window.add(new Sample(i, i, all[i]));
            }
            double[][] rows = window.toArray(n);
            double[] expected = reference(rows, ALL);

            double[] fromRows = new double[WindowFeatures.dimension(ALL, channels)];
            WindowFeatures.extract(rows, ALL, fromRows);
            assertBitIdentical(expected, fromRows, "rows, trial " + trial);

            double[] fromWindow = new double[WindowFeatures.dimension(ALL, channels)];
            WindowFeatures.extract(window, n, ALL, fromWindow);
            assertBitIdentical(expected, fromWindow, "window, trial " + trial);
        }
    }

    @Test
    void extract_ofASubsetOfFeatures_laysThemOutFeatureMajor() {
        double[][] rows = {{1, 10}, {3, 30}};
        double[] out = new double[4];
        WindowFeatures.extract(rows, List.of(Feature.MAX, Feature.MEAN), out);
        assertEquals(3, out[0]);
        assertEquals(30, out[1]);
        assertEquals(2, out[2]);
        assertEquals(20, out[3]);
    }
}
