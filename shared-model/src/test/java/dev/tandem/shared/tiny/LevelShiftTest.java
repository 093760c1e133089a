package dev.tandem.shared.tiny;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.error.TandemException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LevelShiftTest {
    /** Two channels at level 0, unit spread, scale 0.3 (about what white noise gives), limit 4. */
    private static LevelShift stage(double... weight) {
        return new LevelShift(0.2, 0.02, new double[]{0, 0}, new double[]{1, 1}, new double[]{0.3, 0.3}, weight, 4.0);
    }

    @Test
    void lastingShift_isFlaggedAndHeldUntilTheLevelComesBack() {
        LevelShift.Tracker t = stage(1, 1).tracker();
        Random r = new Random(1);
        double max = 0;
        for (int i = 0; i < 300; i++) {
            max = Math.max(max, t.update(new double[]{0.2 * r.nextGaussian(), 0.2 * r.nextGaussian()}));
        }
        assertTrue(max < 1, "quiet level: " + max);
        int flagged = 0;
        for (int i = 0; i < 400; i++) {
            // channel 1 drops by 2 spreads for 400 samples: far longer than the reference's memory (50 samples)
            if (t.update(new double[]{0.2 * r.nextGaussian(), -2 + 0.2 * r.nextGaussian()}) >= 1) {
                flagged++;
            }
        }
        assertTrue(flagged > 380, "the reference holds during the alarm, so the shift stays flagged: " + flagged);
        assertTrue(t.holding());
        int after = 0;
        for (int i = 0; i < 100; i++) {
            if (t.update(new double[]{0.2 * r.nextGaussian(), 0.2 * r.nextGaussian()}) >= 1 && i > 20) {
                after++;
            }
        }
        assertEquals(0, after, "back at the held level: no alarm");
    }

    @Test
    void slowDrift_isFollowed() {
        LevelShift.Tracker t = stage(1, 1).tracker();
        double max = 0;
        for (int i = 0; i < 2000; i++) {
            max = Math.max(max, t.update(new double[]{i * 0.002, 0})); // 4 spreads over 2000 samples
        }
        assertTrue(max < 1, "a slow wander is followed by the reference: " + max);
    }

    @Test
    void unweightedChannel_isIgnored() {
        LevelShift.Tracker t = stage(1, 0).tracker();
        for (int i = 0; i < 200; i++) {
            assertEquals(0.0, t.update(new double[]{0, 5}), 1e-12);
        }
    }

    @Test
    void nonFiniteReading_givesNaN_andDoesNotPoisonTheReference() {
        LevelShift.Tracker t = stage(1, 1).tracker();
        for (int i = 0; i < 50; i++) {
            t.update(new double[]{0, 0});
        }
        assertTrue(Double.isNaN(t.update(new double[]{Double.NaN, 0})));
        t.restart();
        for (int i = 0; i < 50; i++) {
            assertTrue(t.update(new double[]{0, 0}) < 1);
        }
    }

    @Test
    void restart_keepsTheReference() {
        LevelShift.Tracker t = stage(1, 1).tracker();
        for (int i = 0; i < 100; i++) {
            t.update(new double[]{0, 0});
        }
        t.restart();
        t.start(new double[][]{{0, -2}, {0, -2}}, 0, 2);
        assertTrue(t.update(new double[]{0, -2}) >= 1, "after a gap the level is still judged against the old reference");
    }

    @Test
    void wrongChannels_andBadParameters_areRefused() {
        LevelShift.Tracker t = stage(1, 1).tracker();
        assertEquals(ErrorCode.CHANNEL_MISMATCH, assertThrows(TandemException.class, () -> t.update(new double[3])).code());
        assertThrows(TandemException.class, () -> new LevelShift(0.2, 0.3, new double[]{0}, new double[]{1},
                new double[]{1}, new double[]{1}, 1));
        assertThrows(TandemException.class, () -> new LevelShift(0.2, 0.02, new double[]{0}, new double[]{0},
                new double[]{1}, new double[]{1}, 1));
        assertThrows(TandemException.class, () -> new LevelShift(0.2, 0.02, new double[]{0}, new double[]{1},
                new double[]{1}, new double[]{2}, 1));
        assertThrows(TandemException.class, () -> new LevelShift(0.2, 0.02, new double[]{0}, new double[]{1},
                new double[]{1}, new double[]{1}, Double.NaN));
    }

    @Test
    void modelWithStage_roundTrips_andScoresTheShift() {
        TinyModel base = TinyModelFixtures.identityModel("ls", 2, 4);
        TinyModel m = TinyModelFixtures.builder(base).scoreScale(1e6).levelShift(stage(1, 1)).build();
        byte[] bytes = TinyModelCodec.encode(m);
        TinyModel back = TinyModelCodec.verifyAndDecode(TinyModelCodec.manifest(m, bytes), bytes);
        assertEquals(m, back);
        assertEquals(m.parameterCount(), base.parameterCount() + 9);
        TinyScorer scorer = back.scorer();
        double[][] rows = new double[4][];
        double last = 0;
        for (int i = 0; i < 60; i++) {
            for (int k = 0; k < 4; k++) {
                rows[k] = new double[]{0, i < 20 ? 0 : -3};
            }
            last = scorer.score(rows);
        }
        assertTrue(last >= 1, "the level shift dominates a window statistic scaled out of the way: " + last);
        assertTrue(scorer.lastShift() >= 1);
        // the window statistic alone, without touching the scorer's state
        double raw = scorer.lastRaw();
        assertEquals(raw, scorer.windowScore(rows), 1e-15);
        assertEquals(raw, scorer.lastRaw(), 0.0);
        assertTrue(scorer.windowScore(rows) < 1e-3, "the window statistic itself is scaled out of the way");
    }

    @Test
    void artifactWithABadStage_isArtifactInvalid() {
        TinyModel base = TinyModelFixtures.identityModel("bad", 2, 4);
        TinyModel m = TinyModelFixtures.builder(base).scoreScale(1).levelShift(stage(1, 1)).build();
        String json = new String(TinyModelCodec.encode(m), StandardCharsets.UTF_8);
        String badWeight = json.replace("\"weight\":[1.0,1.0]", "\"weight\":[1.0,2.0]");
        String badChannels = json.replace("\"weight\":[1.0,1.0]", "\"weight\":[1.0]");
        assertTrue(!badWeight.equals(json) && !badChannels.equals(json), json);
        for (String bad : new String[]{badWeight, badChannels}) {
            assertEquals(ErrorCode.ARTIFACT_INVALID, assertThrows(TandemException.class,
                    () -> TinyModelCodec.decode(bad.getBytes(StandardCharsets.UTF_8))).code());
        }
    }

    @Test
    void firstFormat_isAcceptedWithoutStage_andRefusedWithOne() {
        TinyModel base = TinyModelFixtures.identityModel("v1", 2, 4);
        TinyModel v1 = TinyModelFixtures.builder(base).format(TinyModel.FORMAT_1).scoreScale(1).levelShift(null).build();
        assertNull(v1.levelShift());
        byte[] bytes = TinyModelCodec.encode(v1);
        assertEquals(v1, TinyModelCodec.verifyAndDecode(TinyModelCodec.manifest(v1, bytes), bytes));
        TandemException e = assertThrows(TandemException.class,
                () -> TinyModelFixtures.builder(v1).levelShift(stage(1, 1)).build());
        assertEquals(ErrorCode.ARTIFACT_INVALID, e.code());
        String forged = new String(bytes, StandardCharsets.UTF_8);
        assertFalse(forged.contains("\"levelShift\":{"));
    }
}
