package dev.tandem.sim.factory;

import dev.tandem.shared.wire.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroundTruthTest {
    private static LabeledSample normal(long seq) {
        return LabeledSample.normal(new Sample(seq, seq * 1000, new double[]{1, 2, 3, 4, 5}));
    }

    private static LabeledSample anomaly(long seq, AnomalyKind kind) {
        return LabeledSample.anomaly(new Sample(seq, seq * 1000, new double[]{1, 2, 3, 4, 5}), kind);
    }

    @Test
    void labels_areAnsweredPerDeviceAndSeq_unknownWhenNeverRecorded() {
        GroundTruth truth = new GroundTruth();
        truth.record("machine-01", normal(0));
        truth.record("machine-01", anomaly(1, AnomalyKind.SPIKE));
        truth.record("machine-02", anomaly(0, AnomalyKind.NOISE_BURST));

        assertEquals(Optional.of(GroundTruth.Label.NORMAL), truth.label("machine-01", 0));
        assertTrue(truth.isAnomalous("machine-01", 1));
        assertEquals(AnomalyKind.SPIKE, truth.kind("machine-01", 1));
        assertEquals(AnomalyKind.NOISE_BURST, truth.kind("machine-02", 0));
        assertFalse(truth.isRecorded("machine-01", 2));
        assertFalse(truth.isRecorded("machine-03", 0));
        assertNull(truth.kind("machine-01", 0));
        assertEquals(3, truth.recorded());
        assertEquals(2, truth.anomalous());
        assertEquals(2, truth.recorded("machine-01"));
    }

    @Test
    void episodes_areRunsOfOneKind_inOrder_andRecordingTwiceCountsOnce() {
        GroundTruth truth = new GroundTruth();
        String d = "machine-01";
        for (long s = 0; s < 30; s++) {
            LabeledSample ls = s >= 5 && s <= 9 ? anomaly(s, AnomalyKind.LEVEL_SHIFT)
                    : s >= 20 && s <= 21 ? anomaly(s, AnomalyKind.SPIKE)
                    : s >= 22 && s <= 24 ? anomaly(s, AnomalyKind.STUCK_SENSOR)
                    : s == 29 ? anomaly(s, AnomalyKind.DEGRADATION) : normal(s);
            truth.record(d, ls);
        }
        truth.record(d, normal(0));
        assertEquals(List.of(
                new AnomalyEpisode(d, AnomalyKind.LEVEL_SHIFT, 5, 9),
                new AnomalyEpisode(d, AnomalyKind.SPIKE, 20, 21),
                new AnomalyEpisode(d, AnomalyKind.STUCK_SENSOR, 22, 24),
                new AnomalyEpisode(d, AnomalyKind.DEGRADATION, 29, 29)), truth.episodes(d));
        assertEquals(30, truth.recorded(d));
        assertEquals(11, truth.anomalous(d));
        assertEquals(Optional.of(new AnomalyEpisode(d, AnomalyKind.LEVEL_SHIFT, 5, 9)), truth.episodeAt(d, 7));
        assertEquals(Optional.empty(), truth.episodeAt(d, 10));
    }

    @Test
    void aGapInRecordedSamples_splitsEpisodes() {
        GroundTruth truth = new GroundTruth();
        truth.record("machine-01", anomaly(3, AnomalyKind.NOISE_BURST));
        truth.record("machine-01", anomaly(5, AnomalyKind.NOISE_BURST));
        assertEquals(2, truth.episodes("machine-01").size());
        assertEquals(List.of(), truth.episodes("machine-09"));
    }
}
