package dev.tandem.shared.window;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlidingWindowTest {
    private static Sample s(long seq, double... v) {
        return new Sample(seq, seq * 1000, v);
    }

    @Test
    void window_keepsTheLatestCapacitySamples_oldestFirst() {
        SlidingWindow w = new SlidingWindow(3, 2);
        for (int i = 0; i < 5; i++) w.add(s(i, i, 10 * i));
        assertEquals(3, w.size());
        assertArrayEquals(new double[][]{{3, 30}, {4, 40}}, w.toArray(2));
        assertEquals(4, w.newest().seq());
        assertEquals(2, w.latest(3, 0).seq());
        assertTrue(w.hasAtLeast(3));
        assertFalse(w.hasAtLeast(4));
    }

    @Test
    void latestAfter_returnsOnlySamplesTheHubDoesNotHold() {
        SlidingWindow w = new SlidingWindow(10, 1);
        for (int i = 0; i < 10; i++) w.add(s(i, i));
        List<Sample> delta = w.latestAfter(6, 7);
        assertEquals(List.of(8L, 9L), delta.stream().map(Sample::seq).toList());
        assertEquals(6, w.latestAfter(6, -1).size());
    }

    @Test
    void add_refusesWrongChannelsAndOldSamples() {
        SlidingWindow w = new SlidingWindow(3, 2);
        w.add(s(5, 1, 2));
        assertEquals(ErrorCode.CHANNEL_MISMATCH, assertThrows(TandemException.class, () -> w.add(s(6, 1))).code());
        assertEquals(ErrorCode.INVALID_FIELD, assertThrows(TandemException.class, () -> w.add(s(5, 1, 2))).code());
    }

    @Test
    void features_matchHandComputedValues() {
        double[][] rows = {{1, 5}, {2, 5}, {3, 5}, {6, 5}};
        List<Feature> fs = List.of(Feature.values());
        double[] out = new double[fs.size() * 2];
        WindowFeatures.extract(rows, fs, out);
        // channel 0: mean 3, std sqrt(3.5), min 1, max 6, last 6, slope = cov(i,x)/var(i) = 1.6
        assertEquals(3, out[0], 1e-12);
        assertEquals(Math.sqrt(3.5), out[2], 1e-12);
        assertEquals(1, out[4], 1e-12);
        assertEquals(6, out[6], 1e-12);
        assertEquals(6, out[8], 1e-12);
        assertEquals(1.6, out[10], 1e-12);
        // constant channel 1: std 0, slope 0
        assertEquals(0, out[3], 1e-12);
        assertEquals(0, out[11], 1e-12);

        SlidingWindow w = new SlidingWindow(8, 2);
        w.add(s(0, 100, 100));
        for (int i = 0; i < rows.length; i++) w.add(s(i + 1, rows[i]));
        double[] fromWindow = new double[out.length];
        WindowFeatures.extract(w, 4, fs, fromWindow);
        assertArrayEquals(out, fromWindow, 1e-12);
    }
}
