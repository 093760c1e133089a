package dev.tandem.hub.live;

import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Signals;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.wire.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceTrailsTest {
    private final DeviceTrails trails = new DeviceTrails();
    private final DeviceId id = new DeviceId("s", "d");

    @Test
    void overlappingAndRedeliveredEscalations_keepEachSampleOnce_inSequenceOrder() {
        trails.record(Signals.escalation("s", "d", Signals.range(10, 21), 12), verdict(21, false));
        trails.record(Signals.escalation("s", "d", Signals.range(18, 25), 12), verdict(25, true));
        trails.record(Signals.escalation("s", "d", Signals.range(18, 25), 12), null); // a redelivery
        trails.record(Signals.escalation("s", "d", Signals.range(1, 5), 12), null);   // older than all: in front

        DeviceTrails.Trail t = trails.of(id, 1000).orElseThrow();
        List<Long> seqs = t.samples().stream().map(Sample::seq).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L,
                24L, 25L), seqs);
        assertEquals(4, t.judged().size());
        assertEquals(Boolean.TRUE, t.judged().get(1).anomaly());
        assertNull(t.judged().get(2).anomaly(), "no verdict: recorded as such");
        assertEquals(Signals.sample(25).ts(), t.judged().get(1).ts());
    }

    @Test
    void aTrailIsBounded_theOldestSamplesAndEscalationsDropped_andALimitShowsTheNewest() {
        for (long w = 12; w < 12 + 12L * (DeviceTrails.MAX_JUDGED + 10); w += 12) {
            trails.record(Signals.escalation("s", "d", Signals.range(w - 11, w), 12), verdict(w, false));
        }
        DeviceTrails.Trail all = trails.of(id, Integer.MAX_VALUE).orElseThrow();
        assertEquals(DeviceTrails.MAX_SAMPLES, all.samples().size());
        assertTrue(all.judged().size() <= DeviceTrails.MAX_JUDGED);
        DeviceTrails.Trail newest = trails.of(id, 24).orElseThrow();
        assertEquals(24, newest.samples().size());
        assertEquals(2, newest.judged().size(), "only the escalations of the samples shown");
        assertTrue(trails.of(new DeviceId("s", "other"), 10).isEmpty());
    }

    @Test
    void aSequenceThatStartsOver_startsTheTrailOver() {
        trails.record(Signals.escalation("s", "d", Signals.range(100_000, 100_011), 12), null);
        trails.record(Signals.escalation("s", "d", Signals.range(0, 11), 12), null);
        List<Sample> samples = trails.of(id, 1000).orElseThrow().samples();
        assertEquals(12, samples.size());
        assertEquals(0, samples.get(0).seq());
    }

    @Test
    void theCommissioningSet_comesFirst_andIsNamed_aNewSetThatStartsOverReplacesTheTrail() {
        trails.commissioned(Signals.commissioning("s", "d", 100));
        trails.record(Signals.escalation("s", "d", Signals.range(200, 211), 12), null);
        DeviceTrails.Trail t = trails.of(id, 1000).orElseThrow();
        assertEquals(112, t.samples().size());
        assertEquals(99, t.commissionedThroughSeq());
        assertEquals(0, t.samples().get(0).seq());

        trails.commissioned(Signals.commissioning("s", "d", 50)); // the device commissioned again, from seq 0
        DeviceTrails.Trail again = trails.of(id, 1000).orElseThrow();
        assertEquals(50, again.samples().size());
        assertEquals(49, again.commissionedThroughSeq());
    }

    private static Verdict verdict(long windowId, boolean anomaly) {
        return new Verdict(Verdict.VERSION, "v" + windowId, "s", "d", windowId, anomaly, anomaly ? 2 : 0.5, "large-1",
                windowId, 1L);
    }

}
