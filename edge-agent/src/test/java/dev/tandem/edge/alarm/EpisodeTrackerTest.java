package dev.tandem.edge.alarm;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import dev.tandem.shared.wire.Alarm;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Episodes from decisions, one window per second of sample time. */
class EpisodeTrackerTest {
    private final List<Alarm> out = new ArrayList<>();
    private long seq;

    private EpisodeTracker tracker(int clearAfter, Duration update) {
        return new EpisodeTracker("s", "d", new AlarmSettings(clearAfter, update), out::add);
    }

    private void feed(EpisodeTracker t, String pattern) {
        for (char c : pattern.toCharArray()) {
            boolean anomaly = c == 'A';
            t.window(seq, 1_000 * seq, anomaly, anomaly ? 2.0 + seq * 0.01 : 0.2, Alarm.Source.EDGE,
                    new int[]{4, 1}, "m1");
            seq++;
        }
    }

    private List<Alarm.Phase> phases() {
        return out.stream().map(Alarm::phase).toList();
    }

    @Test
    void anomalousRun_raisesOnce_holdsThroughShortGaps_andClearsAfterTheHysteresis() {
        EpisodeTracker t = tracker(3, Duration.ofHours(1));
        feed(t, "..AAA.AA..A...");
        //       0123456789....   onset at 2, gaps of 1 and 2 held, cleared on the 3rd normal window (13)
        assertEquals(List.of(Alarm.Phase.ONSET, Alarm.Phase.CLEAR), phases());
        Alarm onset = out.get(0), clear = out.get(1);
        assertEquals(2, onset.windowId());
        assertEquals(2_000, onset.onsetTs());
        assertEquals(List.of(4, 1), onset.channels());
        assertEquals(onset.episode(), clear.episode());
        assertEquals(13, clear.windowId());
        assertEquals(11_000, clear.heldMillis());
        assertEquals(6, clear.windows());
        assertEquals(2.10, clear.score(), 1e-9, "the last anomalous window's score");
        assertEquals(2.10, clear.peakScore(), 1e-9);
        assertFalse(t.holding());
        assertEquals(1, t.onsets());
        assertEquals(1, t.clears());
        assertEquals(11_000, t.heldMillisTotal());
    }

    @Test
    void anomalyAfterTheClear_opensANewEpisode() {
        EpisodeTracker t = tracker(2, Duration.ofHours(1));
        feed(t, "A..A");
        assertEquals(List.of(Alarm.Phase.ONSET, Alarm.Phase.CLEAR, Alarm.Phase.ONSET), phases());
        assertTrue(!out.get(0).episode().equals(out.get(2).episode()), "a new id");
        assertTrue(t.holding());
        assertEquals(out.get(2).episode(), t.episode());
    }

    @Test
    void heldEpisode_isUpdatedAtMostOncePerInterval() {
        EpisodeTracker t = tracker(5, Duration.ofSeconds(10));
        feed(t, "A".repeat(35));
        assertEquals(List.of(Alarm.Phase.ONSET, Alarm.Phase.UPDATE, Alarm.Phase.UPDATE, Alarm.Phase.UPDATE), phases());
        assertEquals(List.of(0L, 10L, 20L, 30L), out.stream().map(Alarm::windowId).toList());
        assertEquals(30_000, out.get(3).heldMillis());
        assertEquals(31, out.get(3).windows());
        assertEquals(3, t.updates());
    }

    @Test
    void noHysteresis_clearsAtTheFirstNormalWindow() {
        EpisodeTracker t = tracker(0, Duration.ofHours(1));
        feed(t, "AA.A.");
        assertEquals(List.of(Alarm.Phase.ONSET, Alarm.Phase.CLEAR, Alarm.Phase.ONSET, Alarm.Phase.CLEAR), phases());
    }

    @Test
    void newModelWhileHolding_endsTheEpisodeRebaselined_andOnlyThen() {
        EpisodeTracker t = tracker(3, Duration.ofHours(1));
        assertFalse(t.modelActivated("m0"), "nothing holds");
        feed(t, "AAAA");
        assertTrue(t.modelActivated("m2"));
        assertEquals(List.of(Alarm.Phase.ONSET, Alarm.Phase.REBASELINED), phases());
        assertEquals("m2", out.get(1).modelVersion());
        assertEquals(3_000, out.get(1).heldMillis());
        assertNull(t.episode());
        assertEquals(1, t.rebaselines());
        feed(t, "....");
        assertEquals(2, out.size(), "normal windows after it raise nothing");
    }

    @Test
    void normalWindows_withoutAnEpisode_sayNothing() {
        feed(tracker(3, Duration.ofSeconds(1)), ".".repeat(100));
        assertEquals(List.of(), out);
    }

    @Test
    void lateAnomalousDecision_onAWindowBeforeTheClear_opensNothing() {
        EpisodeTracker t = tracker(2, Duration.ofHours(1));
        feed(t, "AA..");                  // windows 0..3: onset, cleared at window 3
        t.window(1, 1_000, true, 3.0, Alarm.Source.EDGE_TIMEOUT, null, "m1"); // window 1's verdict timed out late
        assertEquals(List.of(Alarm.Phase.ONSET, Alarm.Phase.CLEAR), phases());
        feed(t, "A");                     // window 4: a new episode
        assertEquals(Alarm.Phase.ONSET, out.get(2).phase());
        assertEquals(4, out.get(2).windowId());
    }

    @Test
    void badSettings_areInvalidConfig() {
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class,
                () -> new AlarmSettings(-1, Duration.ofSeconds(1))).code());
        assertEquals(ErrorCode.INVALID_CONFIG, assertThrows(TandemException.class,
                () -> new AlarmSettings(1, Duration.ZERO)).code());
    }
}
