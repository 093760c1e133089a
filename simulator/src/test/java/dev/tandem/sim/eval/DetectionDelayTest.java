package dev.tandem.sim.eval;

import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectionDelayTest {

    private static boolean[] alarmsAt(int n, int... on) {
        boolean[] a = new boolean[n];
        for (int i : on) {
            a[i] = true;
        }
        return a;
    }

    @Test
    void delay_isRowsFromOnsetToFirstAlarmInsideTheEpisode() {
        Episode atOnset = new Episode("d", "spike", 10, 12);
        Episode late = new Episode("d", "drift", 20, 40);
        Episode missed = new Episode("d", "drift", 50, 60);
        boolean[] alarms = alarmsAt(100, 10, 25, 30, 49, 61);   // 49 and 61 are outside the last episode

        List<DetectionDelay.Detection> out = DetectionDelay.measure(List.of(atOnset, late, missed), Map.of("d", alarms));

        assertEquals(new DetectionDelay.Detection(atOnset, true, 0, -1), out.get(0));
        assertEquals(new DetectionDelay.Detection(late, true, 5, -1), out.get(1));
        assertEquals(new DetectionDelay.Detection(missed, false, -1, -1), out.get(2));
    }

    @Test
    void delayMillis_usesTheTrackTimestampsIncludingGaps() {
        long[] ts = new long[10];
        for (int i = 0; i < 10; i++) {
            ts[i] = 1000L * i + (i >= 5 ? 60_000 : 0);   // a one-minute gap before row 5
        }
        Episode e = new Episode("d", "valve1", 3, 8);

        DetectionDelay.Detection d = DetectionDelay.measureTracks(List.of(e),
                Map.of("d", DetectionDelay.Track.of(alarmsAt(10, 6), ts))).get(0);

        assertTrue(d.detected());
        assertEquals(3, d.delayRows());
        assertEquals(63_000, d.delayMillis());
    }

    @Test
    void track_withFirstSeq_alignsDecisionsAndClipsEpisodes() {
        // decisions cover seq 100..119; the episode starts before them
        DetectionDelay.Track track = new DetectionDelay.Track(100, alarmsAt(20, 2), null);
        Episode e = new Episode("d", "k", 95, 105);

        DetectionDelay.Detection d = DetectionDelay.measureTracks(List.of(e), Map.of("d", track)).get(0);

        assertEquals(2, d.delayRows());
        assertThrows(TandemException.class,
                () -> DetectionDelay.measureTracks(List.of(new Episode("d", "k", 200, 210)), Map.of("d", track)));
        assertThrows(TandemException.class,
                () -> DetectionDelay.measureTracks(List.of(new Episode("other", "k", 100, 101)), Map.of("d", track)));
    }

    @Test
    void byKind_aggregatesCountsAndDelayStatistics() {
        List<Episode> episodes = List.of(
                new Episode("a", "drift", 0, 9), new Episode("a", "drift", 20, 29),
                new Episode("b", "drift", 0, 9), new Episode("b", "spike", 20, 21),
                new Episode("b", "stuck", 30, 35));
        Map<String, boolean[]> decisions = Map.of(
                "a", alarmsAt(40, 2, 27),     // drift delays 2 and 7
                "b", alarmsAt(40, 6, 20));    // drift delay 6, spike 0, stuck missed

        Map<String, DetectionDelay.KindSummary> byKind = DetectionDelay.byKind(DetectionDelay.measure(episodes, decisions));

        assertEquals(List.of("drift", "spike", "stuck"), List.copyOf(byKind.keySet()));
        DetectionDelay.KindSummary drift = byKind.get("drift");
        assertEquals(3, drift.episodes());
        assertEquals(3, drift.detected());
        assertEquals(5.0, drift.meanDelayRows(), 1e-12);
        assertEquals(6.0, drift.medianDelayRows());
        assertEquals(7.0, drift.maxDelayRows());
        assertTrue(Double.isNaN(drift.meanDelayMillis()));
        DetectionDelay.KindSummary stuck = byKind.get("stuck");
        assertEquals(1, stuck.missed());
        assertEquals(0.0, stuck.detectionRate());
        assertTrue(Double.isNaN(stuck.meanDelayRows()) && Double.isNaN(stuck.medianDelayRows()));
    }

    @Test
    void fromLabels_findsEachRunFromTheStartIndex() {
        boolean[] labels = {true, true, false, true, true, true, false, false, true};

        assertEquals(List.of(new Episode("d", "k", 0, 1), new Episode("d", "k", 3, 5), new Episode("d", "k", 8, 8)),
                Episode.fromLabels("d", "k", labels, 0));
        assertEquals(List.of(new Episode("d", "k", 4, 5), new Episode("d", "k", 8, 8)),
                Episode.fromLabels("d", "k", labels, 4));
        assertTrue(Episode.fromLabels("d", "k", null, 0).isEmpty());
        assertFalse(Episode.fromLabels("d", "k", new boolean[3], 0).iterator().hasNext());
        assertThrows(TandemException.class, () -> new Episode("d", "k", 5, 4));
    }
}
