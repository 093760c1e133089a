package dev.tandem.sim.score;

import dev.tandem.sim.eval.nab.NabProfile;
import dev.tandem.sim.eval.nab.NabScorer;
import dev.tandem.sim.eval.nab.NabWindow;
import dev.tandem.sim.factory.TruthEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./tandem score}'s NAB score is the evaluation's {@link NabScorer} on the truth's rows. */
class NabTruthScoreTest {
    private static final Instant T0 = Instant.parse("2015-09-01T00:00:00Z");

    /** Row times 5 minutes apart, with a gap of an hour after row 100 (NAB's traffic files have such gaps). */
    private static Instant time(int row) {
        return T0.plus(Duration.ofMinutes(5L * row + (row > 100 ? 60 : 0)));
    }

    private static TruthEvent window(String device, int first, int last) {
        return new TruthEvent(device, "*", "anomaly", null, time(first), time(last), true).withRows(first, last);
    }

    @Test
    void rowsOfTheTruthAndTheAlarms_giveTheEvaluationsScore_inEveryProfile() {
        // device a: 400 rows, 60 probationary, windows [50, 80] (partly probationary) and [200, 240]; b: 300 rows, no window
        List<TruthEvent> truth = List.of(
                TruthEvent.observed("a", time(60), time(399)).withRows(60, 399), window("a", 50, 80), window("a", 200, 240),
                TruthEvent.observed("b", time(45), time(299)).withRows(45, 299));
        int[] aRows = {30, 70, 150, 210, 215, 300};
        int[] bRows = {100, 120};
        List<AlarmLine> alarms = new ArrayList<>();
        for (int r : aRows) {
            alarms.add(new AlarmLine("a", time(r), true, (long) r));
        }
        for (int r : bRows) {
            alarms.add(new AlarmLine("b", time(r), true, (long) r));
        }
        alarms.add(new AlarmLine("a", time(216), false, 216L)); // an UPDATE: no detection
        alarms.add(new AlarmLine("ghost", time(5), true, 5L));  // not in the truth

        NabHook.Score s = NabTruthScore.SCORER.score(truth, alarms).orElseThrow();

        List<NabWindow> aw = List.of(new NabWindow(50, 80, "", ""), new NabWindow(200, 240, "", ""));
        for (NabProfile p : NabProfile.ALL) {
            var fa = NabScorer.score(400, 60, aw, detections(400, aRows), p);
            var fb = NabScorer.score(300, 45, List.of(), detections(300, bRows), p);
            var expected = NabScorer.corpus(p, List.of(fa, fb));
            assertEquals(expected.normalised(), s.profiles().get(p.name()), 1e-12, p.name());
            assertEquals(expected.raw(), s.raw().get(p.name()), 1e-12, p.name());
        }
        assertEquals(2, s.devices());
        assertEquals(2, s.windows());
        assertEquals(2, s.detectedWindows());
        assertEquals(7, s.onsets(), "row 30 is probationary");
        assertEquals(4, s.falsePositiveOnsets());
        assertEquals("rows", s.rowsFrom());
        assertEquals(1, s.ignoredAlarms());
    }

    @Test
    void alarmsWithoutRows_arePlacedBetweenTheTruthsRowTimes_exactlyAtThem() {
        List<TruthEvent> truth = List.of(TruthEvent.observed("a", time(60), time(399)).withRows(60, 399),
                window("a", 200, 240));
        NabHook.Score byRow = NabTruthScore.SCORER.score(truth, List.of(new AlarmLine("a", time(200), true, 200L))).orElseThrow();
        NabHook.Score byTime = NabTruthScore.SCORER.score(truth, List.of(new AlarmLine("a", time(200)))).orElseThrow();
        assertEquals(byRow.standard(), byTime.standard(), 1e-12);
        assertEquals(100.0, byTime.standard(), 1e-9, "the window's first row: a perfect detection");
        assertEquals("interpolated+rows", byTime.rowsFrom());
    }

    @Test
    void aTruthWithoutRows_isScoredOnARowASecond() {
        List<TruthEvent> truth = List.of(TruthEvent.observed("m", T0, T0.plusSeconds(999)),
                new TruthEvent("m", "a", "level_shift", "high", T0.plusSeconds(500), T0.plusSeconds(539), true),
                new TruthEvent("m", "b", "level_shift", "high", T0.plusSeconds(500), T0.plusSeconds(539), true));
        NabHook.Score s = NabTruthScore.SCORER.score(truth, List.of(new AlarmLine("m", T0.plusSeconds(510)),
                new AlarmLine("m", T0.plusSeconds(900)))).orElseThrow();
        var expected = NabScorer.corpus(NabProfile.STANDARD, List.of(NabScorer.score(1000, 0,
                List.of(new NabWindow(500, 539, "", "")), detections(1000, new int[]{510, 900}), NabProfile.STANDARD)));
        assertEquals(expected.normalised(), s.standard(), 1e-12);
        assertEquals(1, s.windows(), "two channels of one fault: one window");
        assertEquals("seconds", s.rowsFrom());
        assertTrue(NabTruthScore.SCORER.score(List.of(), List.of()).isEmpty());
    }

    private static boolean[] detections(int rows, int[] at) {
        boolean[] d = new boolean[rows];
        for (int r : at) {
            d[r] = true;
        }
        return d;
    }
}
