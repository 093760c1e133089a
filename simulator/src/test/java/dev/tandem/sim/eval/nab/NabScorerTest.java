package dev.tandem.sim.eval.nab;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-worked NAB scores. Expected values are written out from the formulas (computed apart, in
 * Python, to 16 digits): σ(x) = 2 / (1 + e^(5x)) - 1, σ(-1) = 0.9866142981514305.
 */
class NabScorerTest {
    private static final double EPS = 1e-12;
    /** Rows 0..39, one window rows 10..19 (width 10). */
    private static final List<NabWindow> ONE = List.of(new NabWindow(10, 19, "s", "e"));

    private static boolean[] at(int rows, int... flagged) {
        boolean[] d = new boolean[rows];
        for (int i : flagged) {
            d[i] = true;
        }
        return d;
    }

    private static double score(int... flagged) {
        return NabScorer.score(40, 0, ONE, at(40, flagged), NabProfile.STANDARD).score();
    }

    @Test
    void scaledSigmoidAtItsLandmarks() {
        assertEquals(0.9866142981514305, NabScorer.scaledSigmoid(-1), EPS);
        assertEquals(0.0, NabScorer.scaledSigmoid(0), EPS);
        assertEquals(-0.9866142981514305, NabScorer.scaledSigmoid(1), EPS);
        assertEquals(-1.0, NabScorer.scaledSigmoid(3.0), 0.0); // NAB: -1 from 3 on
        assertEquals(-1.0, NabScorer.scaledSigmoid(7.5), 0.0);
        assertTrue(NabScorer.scaledSigmoid(2.999) > -1.0);
    }

    @Test
    void aDetectionOnTheWindowsFirstRowIsWorthOneAndLaterLess() {
        assertEquals(1.0, score(10), EPS);
        // last row: σ(-(19 - 19 + 1) / 10) / σ(-1) = σ(-0.1) / σ(-1)
        assertEquals(0.24824154977542992, score(19), EPS);
        // row 12: σ(-(19 - 12 + 1) / 10) = σ(-0.8)
        assertEquals(0.9771068409226045, score(12), EPS);
    }

    @Test
    void onlyTheBestDetectionOfAWindowCounts() {
        assertEquals(score(12), score(12, 15, 19), EPS);
        assertEquals(1.0, score(19, 10), EPS);
        NabScorer.FileScore s = NabScorer.score(40, 0, ONE, at(40, 12, 15, 19), NabProfile.STANDARD);
        assertEquals(3, s.tp());
        assertEquals(7, s.fn());
        assertEquals(1, s.detectedWindows());
    }

    @Test
    void aMissedWindowCostsTheFalseNegativeWeight() {
        assertEquals(-1.0, score(), EPS);
        assertEquals(-2.0, NabScorer.score(40, 0, ONE, at(40), NabProfile.REWARD_LOW_FN).score(), EPS);
        assertEquals(0, NabScorer.score(40, 0, ONE, at(40), NabProfile.STANDARD).detectedWindows());
    }

    @Test
    void falsePositivesBeforeTheFirstWindowCostTheirFullWeightEach() {
        assertEquals(-1.0 - 0.11 - 0.11, score(0, 5), EPS);
        assertEquals(-1.0 - 0.22 - 0.22,
                NabScorer.score(40, 0, ONE, at(40, 0, 5), NabProfile.REWARD_LOW_FP).score(), EPS);
    }

    @Test
    void falsePositivesAfterAWindowCostLessCloseToIt() {
        // row 28: |19 - 28| / (10 - 1) = 1 -> 0.11 σ(1)
        assertEquals(1.0 - 0.10852757279665734, score(10, 28), EPS);
        // row 24: 5 / 9 -> 0.11 σ(5/9)
        assertEquals(1.0 - 0.09712188136763907, score(10, 24), EPS);
        // row 39: 20 / 9 < 3, still just above -0.11
        double far = score(10, 39) - 1.0;
        assertTrue(far < -0.1099 && far > -0.11, "far FP " + far);
        // every flagged row counts: rows 28 and 29 (10 / 9) both cost
        assertEquals(1.0 - 0.10852757279665734 + 0.11 * NabScorer.scaledSigmoid(10 / 9.0), score(10, 28, 29), EPS);
    }

    @Test
    void afterAOneRowWindowAFalsePositiveCostsTheFullWeight() {
        List<NabWindow> w = List.of(new NabWindow(5, 5, "s", "e"));
        assertEquals(1.0 - 0.11, NabScorer.score(10, 0, w, at(10, 5, 8), NabProfile.STANDARD).score(), EPS);
    }

    @Test
    void theProbationaryPeriodIsNotScored() {
        // a window wholly inside it is not counted, detections inside it are ignored
        List<NabWindow> w = List.of(new NabWindow(2, 4, "a", "b"), new NabWindow(10, 19, "c", "d"));
        NabScorer.FileScore s = NabScorer.score(40, 6, w, at(40, 0, 3, 5), NabProfile.STANDARD);
        assertEquals(1, s.windows());
        assertEquals(-1.0, s.score(), EPS);
        // an FP after the probationary window is scored against it: |4 - 7| / (3 - 1) = 1.5
        double fp = 0.11 * NabScorer.scaledSigmoid(1.5);
        assertEquals(-1.0 + fp, NabScorer.score(40, 6, w, at(40, 7), NabProfile.STANDARD).score(), EPS);
        // a window straddling the end of the probationary period counts, from its first scored row
        List<NabWindow> straddle = List.of(new NabWindow(4, 13, "e", "f"));
        NabScorer.FileScore t = NabScorer.score(40, 6, straddle, at(40, 6), NabProfile.STANDARD);
        assertEquals(1, t.windows());
        // row 6 of [4, 13]: σ(-(13 - 6 + 1) / 10) / σ(-1) = σ(-0.8) / σ(-1)
        assertEquals(0.9771068409226045, t.score(), EPS);
        assertEquals(t.score(), t.contributions()[6], EPS);
    }

    @Test
    void contributionsSumToTheScoreAndSitWhereNabWritesThem() {
        NabScorer.FileScore s = NabScorer.score(40, 0, ONE, at(40, 3, 12, 28), NabProfile.STANDARD);
        double[] c = s.contributions();
        assertEquals(-0.11, c[3], EPS);
        assertEquals(0.9771068409226045, c[10], EPS); // the window's value on its first row
        assertEquals(0.0, c[12], 0.0);
        assertEquals(-0.10852757279665734, c[28], EPS);
        double sum = 0;
        for (double x : c) {
            sum += x;
        }
        assertEquals(s.score(), sum, EPS);
        assertEquals(2, s.fp());
        assertEquals(1, s.tp());
    }

    @Test
    void theCorpusIsNormalisedBetweenTheNullAndThePerfectDetector() {
        NabScorer.FileScore never = NabScorer.score(40, 0, ONE, at(40), NabProfile.STANDARD);
        NabScorer.FileScore perfect = NabScorer.score(40, 0, ONE, at(40, 10), NabProfile.STANDARD);
        NabScorer.FileScore half = NabScorer.score(40, 0, ONE, at(40, 10, 0), NabProfile.STANDARD);
        assertEquals(0.0, NabScorer.corpus(NabProfile.STANDARD, List.of(never, never)).normalised(), EPS);
        assertEquals(100.0, NabScorer.corpus(NabProfile.STANDARD, List.of(perfect, perfect)).normalised(), EPS);
        // raw = 1 - 0.11 + (-1) = -0.11 over 2 windows: 100 (-0.11 + 2) / 4 = 47.25
        assertEquals(47.25, NabScorer.corpus(NabProfile.STANDARD, List.of(half, never)).normalised(), EPS);
        // low_FN: null = -2 W, perfect = W: 100 (raw + 4) / 6 with raw = 0.89 - 2
        NabScorer.FileScore halfFn = NabScorer.score(40, 0, ONE, at(40, 10, 0), NabProfile.REWARD_LOW_FN);
        NabScorer.FileScore neverFn = NabScorer.score(40, 0, ONE, at(40), NabProfile.REWARD_LOW_FN);
        assertEquals(100 * (0.89 - 2 + 4) / 6, NabScorer.corpus(NabProfile.REWARD_LOW_FN, List.of(halfFn, neverFn))
                .normalised(), EPS);
        assertTrue(Double.isNaN(NabScorer.corpus(NabProfile.STANDARD, List.of()).normalised()));
        assertThrows(RuntimeException.class, () -> NabScorer.corpus(NabProfile.REWARD_LOW_FP, List.of(never)));
    }

    @Test
    void onsetsAreTheRowsAnAlarmIsRaised() {
        assertArrayEquals(new boolean[]{true, false, false, false, true, false},
                NabScorer.onsets(new boolean[]{true, true, false, false, true, true}));
        // an alarm held for 10 rows outside a window costs one false positive as an onset, ten as rows
        boolean[] held = at(40, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39);
        assertEquals(10, NabScorer.score(40, 0, ONE, held, NabProfile.STANDARD).fp());
        assertEquals(1, NabScorer.score(40, 0, ONE, NabScorer.onsets(held), NabProfile.STANDARD).fp());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(RuntimeException.class, () -> NabScorer.score(40, 0, ONE, new boolean[39], NabProfile.STANDARD));
        assertThrows(RuntimeException.class, () -> NabScorer.score(40, 41, ONE, new boolean[40], NabProfile.STANDARD));
        assertThrows(RuntimeException.class, () -> new NabProfile("x", 0, 0.1, 1));
    }

    @Test
    void probationaryLengthIsFifteenPercentAtMost750() {
        assertEquals(15, NabFile.probationaryRows(100));
        assertEquals(168, NabFile.probationaryRows(1126));
        assertEquals(749, NabFile.probationaryRows(4999));
        assertEquals(750, NabFile.probationaryRows(5000));
        assertEquals(750, NabFile.probationaryRows(22_000));
        assertEquals(0, NabFile.probationaryRows(6));
    }
}
