package dev.tandem.hub.verdict;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.tiny.LevelShiftFitTest;
import dev.tandem.hub.tiny.SyntheticLine;
import dev.tandem.hub.tiny.TinyFitConfig;
import dev.tandem.hub.tiny.TinyModelFitter;
import dev.tandem.shared.tiny.TinyModel;
import dev.tandem.shared.tiny.TinyScorer;
import dev.tandem.shared.wire.Sample;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextStoreTest {
    private final ContextStore store = new ContextStore();
    private final DeviceId dev = new DeviceId("site", "dev");

    @Test
    void fullContext_isHeld_andDeltaExtendsIt() {
        ContextStore.Context first = store.apply(dev, Signals.range(100, 163), 64);
        assertEquals(64, first.rows().length);
        assertEquals(163, first.heldThroughSeq());

        ContextStore.Context delta = store.apply(dev, Signals.range(164, 170), 64);
        assertEquals(170, delta.heldThroughSeq());
        assertEquals(64, delta.rows().length);
        // the same context as if the edge had sent all 64 samples
        ContextStore fresh = new ContextStore();
        ContextStore.Context full = fresh.apply(dev, Signals.range(107, 170), 64);
        for (int i = 0; i < 64; i++) {
            assertArrayEquals(full.rows()[i], delta.rows()[i]);
        }
    }

    @Test
    void recentReadings_keepTheNewestContiguousSamples_andStartOverAfterAGap() {
        ContextStore recent = new ContextStore(50);
        recent.apply(dev, Signals.range(100, 111), 12);
        recent.apply(dev, Signals.range(108, 140), 12);     // overlapping: only the new samples count
        recent.apply(dev, Signals.range(141, 170), 12);
        List<Sample> r = recent.recent(dev);
        assertEquals(50, r.size());
        assertEquals(121, r.get(0).seq());
        assertEquals(170, r.get(49).seq());
        recent.apply(dev, Signals.range(200, 211), 12);     // a gap
        assertEquals(12, recent.recentCount(dev));
        assertEquals(200, recent.recent(dev).get(0).seq());
        assertEquals(0, store.recentCount(dev), "a store without a recent capacity keeps none");
    }

    @Test
    void partialContext_isNotAnnouncedAsHeld() {
        ContextStore.Context c = store.apply(dev, Signals.range(0, 19), 64);
        assertEquals(20, c.rows().length);
        assertEquals(-1, c.heldThroughSeq());
    }

    @Test
    void gapAfterHeldSamples_startsOverFromWhatTheEscalationCarries() {
        store.apply(dev, Signals.range(100, 163), 64);
        ContextStore.Context c = store.apply(dev, Signals.range(170, 175), 64);
        assertEquals(6, c.rows().length);
        assertEquals(-1, c.heldThroughSeq());
        assertArrayEquals(Signals.normal(170), c.rows()[0]);
    }

    @Test
    void overlappingResend_replacesTheOverlap_andStaysContiguous() {
        store.apply(dev, Signals.range(100, 163), 64);
        ContextStore.Context c = store.apply(dev, Signals.range(150, 165), 64);
        assertEquals(64, c.rows().length);
        assertEquals(165, c.heldThroughSeq());
        assertArrayEquals(Signals.normal(102), c.rows()[0]);
        assertArrayEquals(Signals.normal(165), c.rows()[63]);
    }

    @Test
    void devices_areKeptApart() {
        DeviceId other = new DeviceId("site", "other");
        store.apply(dev, Signals.range(100, 163), 64);
        ContextStore.Context c = store.apply(other, Signals.range(164, 170), 64);
        assertEquals(-1, c.heldThroughSeq());
        assertEquals(7, c.rows().length);
        assertEquals(64, store.heldCount(dev));
    }

    @Test
    void trackedView_onEverySample_scoresAsTheEdgeDoes_andKeepsItsReferenceAcrossAGap() {
        double[][] rows = LevelShiftFitTest.quietLine(11, 700);
        double[][] shifted = SyntheticLine.levelShift(rows, 3, 500, 700, -2.0);
        TinyModel view = TinyModelFitter.fit(java.util.Arrays.copyOf(rows, 400), TinyFitConfig.defaults(), "view");
        TinyScorer edge = view.scorer();
        int w = view.windowSize();
        for (int t = 400 - w + 1; t < 600; t++) {
            ContextStore.Context c = store.apply(dev, List.of(new Sample(t, t, shifted[t])), 16, view);
            if (t >= 400) {
                double expected = edge.score(SyntheticLine.slice(shifted, t - w + 1, w));
                assertEquals(expected, c.tracked(), 1e-12, "sample " + t);
            } else {
                assertTrue(Double.isNaN(c.tracked()), "fewer than a window held yet");
            }
        }
        assertTrue(store.apply(dev, List.of(new Sample(600, 600, shifted[600])), 16, view).tracked() >= 1.0);
        // a gap: the escalation after it starts the history over, the level is judged against the old reference
        List<Sample> after = new java.util.ArrayList<>();
        for (int t = 650; t < 666; t++) {
            after.add(new Sample(t, t, shifted[t]));
        }
        assertTrue(store.apply(dev, after, 16, view).tracked() >= 1.0, "still shifted after the gap");
    }
}
