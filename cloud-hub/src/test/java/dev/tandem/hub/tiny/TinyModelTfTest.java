package dev.tandem.hub.tiny;

import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.window.Feature;
import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyModelTfTest {
    private static final double[][] COMMISSIONING = SyntheticLine.rows(21, 0, 400, 5);
    private static final double[][] LATER = SyntheticLine.rows(21, 400, 600, 5);

    private static double[][] randomWindow(Random r, int w) {
        double[][] window = SyntheticLine.copy(SyntheticLine.slice(LATER, r.nextInt(LATER.length - w), w));
        int kind = r.nextInt(3);
        for (double[] row : window) {
            for (int c = 0; c < row.length; c++) {
                if (kind == 1) {
                    row[c] += r.nextGaussian() * 3 * SyntheticLine.NOISE[c];
                } else if (kind == 2 && c == 1) {
                    row[c] += 4;
                }
            }
        }
        return window;
    }

    @Test
    void score_equalsThePureJavaRuntime_withinFloat32Precision() {
        for (List<Feature> features : List.of(TinyFitConfig.DEFAULT_FEATURES, List.of(Feature.values()))) {
            TinyModel model = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.builder().features(features).build(), "tf-1");
            Random r = new Random(9);
            try (TinyModelTf tf = new TinyModelTf(model)) {
                for (int i = 0; i < 200; i++) {
                    double[][] window = randomWindow(r, model.windowSize());
                    double expected = model.scorer().score(window); // fresh: the first score is not smoothed
                    assertEquals(expected, tf.score(window), 1e-4 * Math.max(1, Math.abs(expected)),
                            features + " window " + i);
                }
            }
        }
    }

    @Test
    void score_afterClose_failsCleanly_andWrongShapeIsRefused() {
        TinyModel model = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.defaults(), "tf-2");
        TinyModelTf tf = new TinyModelTf(model);
        assertEquals(ErrorCode.CHANNEL_MISMATCH,
                assertThrows(TandemException.class, () -> tf.score(new double[10][4])).code());
        tf.close();
        tf.close();
        assertThrows(IllegalStateException.class, () -> tf.score(SyntheticLine.slice(LATER, 0, 10)));
    }

    @Test
    void pureJavaRuntime_isFasterPerWindowThanTensorFlow() {
        TinyModel model = TinyModelFitter.fit(COMMISSIONING, TinyFitConfig.defaults(), "tf-3");
        TinyScorer scorer = model.scorer();
        int w = model.windowSize();
        int n = LATER.length - w;
        double sink = 0;
        try (TinyModelTf tf = new TinyModelTf(model)) {
            for (int i = 0; i < 2000; i++) { // warm-up
                sink += tf.score(SyntheticLine.slice(LATER, i % n, w)) + scorer.score(SyntheticLine.slice(LATER, i % n, w));
            }
            int runs = 3000;
            long t0 = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                sink += tf.score(SyntheticLine.slice(LATER, i % n, w));
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < runs * 10; i++) {
                sink += scorer.score(SyntheticLine.slice(LATER, i % n, w));
            }
            long t2 = System.nanoTime();
            double tfMicros = (t1 - t0) / 1e3 / runs;
            double javaMicros = (t2 - t1) / 1e3 / (runs * 10);
            System.out.printf("tiny model per window: TensorFlow %.2f us, pure Java %.3f us (%.0fx), %s%n",
                    tfMicros, javaMicros, tfMicros / javaMicros, model);
            assertTrue(javaMicros < tfMicros, "java " + javaMicros + " us vs tf " + tfMicros + " us");
        }
        assertTrue(Double.isFinite(sink));
    }
}
