package dev.tandem.hub.tiny;

import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiny model's level-shift stage as the hub fits it, scored as the edge runtime scores. */
public class LevelShiftFitTest {
    private static final int SHIFT_FROM = 500;
    private static final int SHIFT_TO = 900;

    /** Quiet channels (white noise around fixed levels), like a rig at constant operation; channel 3 quantised. */
    public static double[][] quietLine(long seed, int n) {
        Random r = new Random(seed);
        double[][] out = new double[n][5];
        for (int t = 0; t < n; t++) {
            out[t][0] = 0.2 + 0.01 * r.nextGaussian();
            out[t][1] = 8 + 0.3 * r.nextGaussian();
            out[t][2] = 45 + 0.5 * r.nextGaussian();
            out[t][3] = Math.rint(32 + 0.6 * r.nextGaussian());
            out[t][4] = 230 + 1.5 * r.nextGaussian();
        }
        return out;
    }

    /** Edge-runtime scores of every window of {@code rows} after the first commissioning rows, one scorer throughout. */
    private static boolean[] flags(TinyModel m, double[][] rows, int from) {
        TinyScorer s = m.scorer();
        int w = m.windowSize();
        boolean[] out = new boolean[rows.length];
        for (int end = from; end < rows.length; end++) {
            out[end] = s.score(SyntheticLine.slice(rows, end - w + 1, w)) >= 1.0;
        }
        return out;
    }

    private static double share(boolean[] flags, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += flags[i] ? 1 : 0;
        }
        return (double) n / (to - from);
    }

    @Test
    void smallLastingShift_ofAQuietChannel_isCaughtByTheStage_andMissedWithoutIt() {
        double[][] rows = quietLine(3, 1400);
        double[][] commissioning = java.util.Arrays.copyOf(rows, 400);
        // one quantisation step down on channel 3 (about 1.6 of its standard deviations) for 400 samples
        double[][] shifted = SyntheticLine.levelShift(rows, 3, SHIFT_FROM, SHIFT_TO, -1.0);
        TinyModel with = TinyModelFitter.fit(commissioning, TinyFitConfig.defaults(), "ls");
        TinyModel without = TinyModelFitter.fit(commissioning, TinyFitConfig.builder().levelShift(null).build(), "no-ls");
        assertNotNull(with.levelShift(), "quiet channels are watched for level shifts");
        assertNull(without.levelShift());

        boolean[] a = flags(with, shifted, 400);
        boolean[] b = flags(without, shifted, 400);
        double caught = share(a, SHIFT_FROM + 30, SHIFT_TO);
        double missed = share(b, SHIFT_FROM + 30, SHIFT_TO);
        assertTrue(caught > 0.9, "held through the shift: " + caught);
        assertTrue(missed < caught - 0.3, "the window statistic alone: " + missed + " vs " + caught);
        double falseAlarms = (share(a, 400, SHIFT_FROM) * 100 + share(a, SHIFT_TO + 30, 1400) * 470) / 570;
        assertTrue(falseAlarms < 0.05, "normal rows flagged: " + falseAlarms);
    }

    @Test
    void loadCycledLine_hasNoStage_itsLevelsSwingByThemselves() {
        TinyModel m = TinyModelFitter.fit(SyntheticLine.rows(1, 0, 400, 5), TinyFitConfig.defaults(), "cycled");
        assertNull(m.levelShift());
    }

    @Test
    void stage_isDeterministic_andAddsItsParameters() {
        double[][] commissioning = quietLine(5, 400);
        TinyModel a = TinyModelFitter.fit(commissioning, TinyFitConfig.defaults(), "d");
        TinyModel b = TinyModelFitter.fit(commissioning, TinyFitConfig.defaults(), "d");
        assertEquals(a, b);
        TinyModel without = TinyModelFitter.fit(commissioning, TinyFitConfig.builder().levelShift(null).build(), "d");
        assertEquals(without.parameterCount() + 4 * 5 + 1, a.parameterCount());
    }

    @Test
    void noiseDeviation_matchesWhiteNoise() {
        Random r = new Random(9);
        double fast = 0, ref = 0, ss = 0;
        int n = 200_000;
        for (int t = 0; t < n; t++) {
            double x = r.nextGaussian();
            fast = 0.2 * x + 0.8 * fast;
            ref = 0.02 * x + 0.98 * ref;
            ss += (fast - ref) * (fast - ref);
        }
        assertEquals(LevelShiftFitter.noiseDeviation(0.2, 0.02), Math.sqrt(ss / n), 0.01);
    }
}
